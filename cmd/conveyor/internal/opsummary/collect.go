package opsummary

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// StackType is the type of the root resource every stack has.
const StackType = "pulumi:pulumi:Stack"

// Progress is the state of a running operation after one event.
type Progress struct {
	// Done counts the resources whose step finished; Total is the best estimate of how many
	// there will be: the larger of the resources in the state before the operation and the
	// resources the engine has announced so far.
	Done, Total int
	// Step is the resource the event was about.
	Step ResourceChange
	// Finished is false when the step just started, true when it ended (or failed).
	Finished bool
}

// Collector builds a Summary from engine events, and reports progress as they arrive. It is
// safe for use from the goroutine that reads the event stream while another reads Summary.
type Collector struct {
	mu         sync.Mutex
	sum        Summary
	expected   int
	onProgress func(Progress)
	seen       map[string]*ResourceChange // by URN
	order      []string
	done       map[string]bool
	gotSummary bool
}

// NewCollector starts the summary of operation on env.
func NewCollector(operation, env string, dryRun bool) *Collector {
	return &Collector{
		sum:  Summary{Operation: operation, Environment: env, DryRun: dryRun, Result: Succeeded},
		seen: map[string]*ResourceChange{},
		done: map[string]bool{},
	}
}

// Expect sets the estimate of how many resources the operation will visit, usually the
// resource count of the state before it.
func (c *Collector) Expect(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expected = n
}

// OnProgress registers f to be called, on the event goroutine, after every resource event.
func (c *Collector) OnProgress(f func(Progress)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onProgress = f
}

// Add records one engine event.
func (c *Collector) Add(e apitype.EngineEvent) {
	c.mu.Lock()
	var p *Progress
	switch {
	case e.ResourcePreEvent != nil:
		md := e.ResourcePreEvent.Metadata
		rc := c.step(md, false)
		p = &Progress{Step: *rc}
		// A component has no provider operation to wait for: its step is done once the
		// engine announces it, and the engine sends no outputs event for it unless the
		// component registers outputs.
		if isComponent(md) && !c.done[md.URN] {
			c.done[md.URN] = true
			p.Finished = true
		}
	case e.ResOutputsEvent != nil:
		md := e.ResOutputsEvent.Metadata
		rc := c.step(md, true)
		if md.Type == StackType && md.New != nil && len(md.New.Outputs) > 0 {
			c.sum.Outputs = md.New.Outputs
		}
		if !c.done[md.URN] {
			c.done[md.URN] = true
			p = &Progress{Step: *rc, Finished: true}
		}
	case e.ResOpFailedEvent != nil:
		md := e.ResOpFailedEvent.Metadata
		rc := c.step(md, true)
		rc.Failed = true
		c.done[md.URN] = true
		c.sum.Result = Failed
		p = &Progress{Step: *rc, Finished: true}
	case e.DiagnosticEvent != nil:
		c.diagnostic(*e.DiagnosticEvent)
	case e.SummaryEvent != nil:
		c.summary(*e.SummaryEvent)
	}
	var f func(Progress)
	if p != nil && c.onProgress != nil {
		p.Done = len(c.done)
		p.Total = max(c.expected, len(c.seen))
		f = c.onProgress
	}
	c.mu.Unlock()
	if f != nil {
		f(*p)
	}
}

// step records the op of a resource's step, keeping its most consequential op when it has
// several (a replacement is a create-replacement, a replace and a delete-replaced). final is
// true for the event that ends a step: only then does a refresh step know what it found.
func (c *Collector) step(md apitype.StepEventMetadata, final bool) *ResourceChange {
	op := normalizeOp(string(md.Op))
	if op == OpRefresh {
		op = OpSame
		if final {
			op = refreshOutcome(md)
		}
	}
	rc, ok := c.seen[md.URN]
	if !ok {
		rc = &ResourceChange{URN: md.URN, Type: md.Type, Name: urnName(md.URN), Op: op}
		c.seen[md.URN] = rc
		c.order = append(c.order, md.URN)
	} else if rank[op] > rank[rc.Op] {
		rc.Op = op
	}
	for _, d := range md.Diffs {
		if !slices.Contains(rc.Diffs, d) {
			rc.Diffs = append(rc.Diffs, d)
		}
	}
	return rc
}

// isComponent reports a step of a component resource (neither custom nor the stack itself).
func isComponent(md apitype.StepEventMetadata) bool {
	if md.Type == StackType {
		return false
	}
	state := md.New
	if state == nil {
		state = md.Old
	}
	return state != nil && !state.Custom
}

// refreshOutcome tells what a refresh step found: the live resource is gone (delete), it
// differs from the state (update), or it is as recorded (same).
func refreshOutcome(md apitype.StepEventMetadata) string {
	switch {
	case md.Old != nil && md.New == nil:
		return OpDelete
	case len(md.Diffs) > 0 || len(md.DetailedDiff) > 0:
		return OpUpdate
	}
	return OpSame
}

func (c *Collector) diagnostic(d apitype.DiagnosticEvent) {
	if d.Ephemeral || (d.Severity != "error" && d.Severity != "warning") {
		return
	}
	msg := strings.TrimSpace(stripColor(d.Message))
	if msg == "" {
		return
	}
	c.sum.Diagnostics = append(c.sum.Diagnostics, Diagnostic{Severity: d.Severity, URN: d.URN, Message: msg})
	if d.Severity == "error" {
		c.sum.Result = Failed
	}
}

func (c *Collector) summary(s apitype.SummaryEvent) {
	c.gotSummary = true
	c.sum.DurationSeconds = s.DurationSeconds
	c.sum.Changes = map[string]int{}
	for op, n := range s.ResourceChanges {
		if isReplacementPart(string(op)) {
			continue
		}
		c.sum.Changes[normalizeOp(string(op))] += n
	}
	if s.Result == apitype.OperationResultFailed || s.Result == apitype.OperationResultCanceled {
		c.sum.Result = Failed
	}
}

// Summary returns what the events said so far; call it after the stream ended.
func (c *Collector) Summary() Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sum
	s.Resources = []ResourceChange{}
	byType := map[string]map[string]int{}
	counted := map[string]int{}
	for _, urn := range c.order {
		rc := *c.seen[urn]
		counted[rc.Op]++
		if rc.Op == OpSame && !rc.Failed {
			continue
		}
		s.Resources = append(s.Resources, rc)
		if byType[rc.Type] == nil {
			byType[rc.Type] = map[string]int{}
		}
		byType[rc.Type][rc.Op]++
	}
	// Without the engine's own count (the operation failed early), count what was seen.
	if !c.gotSummary {
		s.Changes = counted
	}
	if s.Changes == nil {
		s.Changes = map[string]int{}
	}
	s.ByType = []TypeChanges{}
	for t, ops := range byType {
		s.ByType = append(s.ByType, TypeChanges{Type: t, Changes: ops})
	}
	slices.SortFunc(s.ByType, func(a, b TypeChanges) int { return strings.Compare(a.Type, b.Type) })
	s.Diagnostics = slices.Clone(s.Diagnostics)
	return s
}

// urnName is the logical name at the end of a URN ("urn:pulumi:env::proj::type::name").
func urnName(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

// colorDirective matches the engine's color markup, such as <{%reset%}>.
var colorDirective = regexp.MustCompile(`<\{%[^%]*%\}>`)

func stripColor(s string) string { return colorDirective.ReplaceAllString(s, "") }

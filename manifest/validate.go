package manifest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/robfig/cron/v3"

	"github.com/conveyor-paas/conveyor/naming"
)

// The checks here are the rules that concern more than one field, which the decoder cannot
// judge value by value and a JSON Schema does not state: what a component's kind allows,
// replicas against autoscaling, a space's LimitRange against itself. The rules of single
// values are in the struct tags (rules.go).

var kinds = []string{KindAPI, KindCron, KindHandler, KindJob}

// checkModule reports everything wrong within one module manifest.
func checkModule(m *Module, r reporter) {
	for _, name := range m.ComponentNames() {
		checkComponent(m, name, m.Components[name], r)
	}
	checkSecrets(m, r)
	checkSeed(m, r)
}

func checkComponent(m *Module, name string, c *Component, r reporter) {
	path := "components." + name
	if c == nil || !r.usable(path, path+".kind") {
		return
	}
	kind := c.Kind
	if kind == "" {
		kind = name
	}
	if !slices.Contains(kinds, kind) {
		r.keyErrorf(path, "component %q needs a kind: api, cron, handler or job", name)
		return
	}
	only := func(field string, allowed ...string) {
		if r.pos.set(path+"."+field) && !slices.Contains(allowed, kind) {
			r.keyErrorf(path+"."+field, "applies only to %s components, and %s is %s %s component",
				strings.Join(allowed, " and "), name, article(kind), kind)
		}
	}
	only("port", KindAPI)
	only("probes", KindAPI)
	only("replicas", KindAPI, KindHandler)
	only("autoscaling", KindAPI, KindHandler)
	only("schedule", KindCron)
	only("handles", KindHandler)

	if r.pos.set(path+".replicas") && r.pos.set(path+".autoscaling") {
		r.keyErrorf(path+".autoscaling", "set either replicas or autoscaling, not both")
	}
	if a := c.Autoscaling; a != nil && r.usable(path+".autoscaling.min", path+".autoscaling.max") && a.Max < a.Min {
		r.errorf(path+".autoscaling.max", "must be at least min (%d), not %d", a.Min, a.Max)
	}
	if kind == KindCron && !r.pos.set(path+".schedule") {
		r.errorf(path+".schedule", "a cron component needs a schedule, e.g. \"*/15 * * * *\"")
	}
	if kind == KindHandler && r.usable(path+".handles") {
		if len(c.Handles) == 0 {
			r.keyErrorf(path, "a handler must list the consumed events it handles (handles: [<module>.<event>])")
		}
		for i, ref := range c.Handles {
			field := fmt.Sprintf("%s.handles[%d]", path, i)
			if r.usable(field) && !slices.Contains(m.Consumes, ref) {
				r.errorf(field, "handles %s, which module %s does not consume; add it to consumes", mention(ref), m.Name)
			}
		}
	}
}

// article is "a" or "an" before a kind.
func article(kind string) string {
	if kind == KindAPI {
		return "an"
	}
	return "a"
}

// checkSpace reports everything wrong within one space file: its LimitRange, completed with
// the platform's defaults, must be one Kubernetes accepts (defaultRequest <= default <= max).
func checkSpace(s *Space, r reporter) {
	limits := ContainerLimits(s.Limits)
	for _, res := range resourceNames {
		req, def, mx := "limits.defaultRequest."+res, "limits.default."+res, "limits.max."+res
		if !r.usable(req, def, mx) {
			continue
		}
		reqQ, defQ := limits.DefaultRequest.get(res), limits.Default.get(res)
		if compare(reqQ, defQ) > 0 {
			if r.pos.set(def) {
				r.errorf(def, "%s is below the default request %s%s", defQ, reqQ, platformUnless(r, req))
			} else {
				r.errorf(req, "%s is above the default limit %s (the platform's default; set %s too)", reqQ, defQ, def)
			}
		}
		maxQ := limits.Max.get(res)
		if maxQ == "" {
			continue
		}
		for _, d := range []struct {
			path string
			q    Quantity
			what string
		}{{def, defQ, "default limit"}, {req, reqQ, "default request"}} {
			if compare(d.q, maxQ) <= 0 {
				continue
			}
			if r.pos.set(d.path) {
				r.errorf(d.path, "%s is above the maximum %s (%s)", d.q, maxQ, mx)
			} else {
				r.errorf(mx, "%s is below the %s %s (the platform's default; set %s to at most %s too)", maxQ, d.what, d.q, d.path, maxQ)
			}
		}
	}
}

// platformUnless says where a default came from when the file did not set it.
func platformUnless(r reporter, path string) string {
	if r.pos.set(path) {
		return ""
	}
	return " (the platform's default; set " + path + " too)"
}

// resourceNames are the resources a ResourceList holds.
var resourceNames = []string{"cpu", "memory"}

// get returns one resource of a list that may be nil.
func (l *ResourceList) get(name string) Quantity {
	if l == nil {
		return ""
	}
	if name == "cpu" {
		return l.CPU
	}
	return l.Memory
}

// checkResources reports what Kubernetes would refuse about a component's resources in its
// space: a request above its limit (its own, or the default it gets), a limit above the
// space's maximum. The space may be nil (undeclared, reported elsewhere).
func checkResources(r reporter, name string, c *Component, space *Space, spaceR reporter) {
	path := "components." + name + ".resources."
	var requests, limits *ResourceList
	if c.Resources != nil {
		requests, limits = c.Resources.Requests, c.Resources.Limits
	}
	container := ContainerLimits(limitsOf(space))
	for _, res := range resourceNames {
		req, lim := path+"requests."+res, path+"limits."+res
		if !r.usable(req, lim) {
			continue
		}
		reqQ, limQ := requests.get(res), limits.get(res)
		limit, from := limQ, ""
		if limQ == "" {
			limit = container.Default.get(res)
			from = ", the platform's default limit; set " + lim
			if space != nil && space.source.pos.set("limits.default."+res) {
				at := space.source.pos.at("limits.default." + res)
				from = fmt.Sprintf(", the default limit of space %s (%s:%d); set %s", space.Name, space.File(), at.line, lim)
			}
		}
		if reqQ != "" && compare(reqQ, limit) > 0 {
			r.errorf(req, "%s is above the limit %s%s", reqQ, limit, from)
		}
		if space == nil || !spaceR.usable("limits.max."+res) {
			continue
		}
		if maxQ := container.Max.get(res); maxQ != "" && limQ != "" && compare(limQ, maxQ) > 0 {
			at := space.source.pos.at("limits.max." + res)
			r.errorf(lim, "%s is above the maximum %s of space %s (limits.max.%s in %s:%d)", limQ, maxQ, space.Name, res, space.File(), at.line)
		}
	}
}

// EventRef names a consumed event: "<module>.<event>".
type EventRef struct{ Module, Event string }

// ParseEventRef splits "<module>.<event>".
func ParseEventRef(ref string) (EventRef, error) {
	module, event, ok := strings.Cut(ref, ".")
	if !ok {
		return EventRef{}, fmt.Errorf("%s must name an event as <module>.<event>", mention(ref))
	}
	if err := naming.ValidatePart(naming.PartModule, module); err != nil {
		return EventRef{}, fmt.Errorf("in %s: %w", mention(ref), err)
	}
	if err := naming.ValidatePart(naming.PartEvent, event); err != nil {
		return EventRef{}, fmt.Errorf("in %s: %w", mention(ref), err)
	}
	return EventRef{module, event}, nil
}

func (e EventRef) String() string { return e.Module + "." + e.Event }

// CheckImage checks an image reference and requires a tag or a digest: an image without one
// means "whatever latest is today", which no environment can reproduce.
func CheckImage(image string) error {
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Errorf("%s is not a valid image reference: %v", mention(image), err)
	}
	_, tagged := ref.(reference.Tagged)
	_, digested := ref.(reference.Digested)
	if !tagged && !digested {
		return fmt.Errorf("image %s has no tag or digest; pin a version (e.g. %s:1.2.3)", mention(image), clipped(image))
	}
	return nil
}

// clipped is a value cut like mention, without the quotes.
func clipped(v string) string {
	if r := []rune(v); len(r) > maxMention {
		return string(r[:maxMention]) + "…"
	}
	return v
}

// checkSchedule checks a cron schedule the way Kubernetes reads it: five fields or an
// @hourly-style macro, but not robfig's @every, nor a time zone inside the schedule.
func checkSchedule(schedule string) error {
	if strings.HasPrefix(strings.TrimSpace(schedule), "@every") {
		return fmt.Errorf("%s: Kubernetes does not support @every; write a five-field schedule", mention(schedule))
	}
	if strings.Contains(schedule, "TZ=") {
		return fmt.Errorf("%s: a time zone inside the schedule is not supported by Kubernetes", mention(schedule))
	}
	if _, err := cron.ParseStandard(schedule); err != nil {
		return fmt.Errorf("%s is not a valid cron schedule: %v", mention(schedule), err)
	}
	return nil
}

package manifest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/robfig/cron/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/conveyor-paas/conveyor/components/naming"
)

// checkModule reports everything wrong within one module manifest.
func checkModule(m *Module, r reporter) {
	checkPart(r, "module", naming.PartModule, m.Name)
	checkPart(r, "space", naming.PartSpace, m.Space)
	checkUnique(r, "publishes", m.Publishes)
	for i, event := range m.Publishes {
		checkPart(r, fmt.Sprintf("publishes[%d]", i), naming.PartEvent, event)
	}
	checkUnique(r, "consumes", m.Consumes)
	for i, ref := range m.Consumes {
		checkEventRef(r, fmt.Sprintf("consumes[%d]", i), ref)
	}
	checkConfig(r, "config", m.Config)
	if len(m.Components) == 0 {
		r.errorf("components", "a module needs at least one component (most have just an api)")
	}
	for _, name := range slices.Sorted(maps.Keys(m.Components)) {
		checkComponent(m, name, m.Components[name], r)
	}
}

func checkComponent(m *Module, name string, c *Component, r reporter) {
	path := "components." + name
	if c == nil {
		r.errorf(path, "is empty; a component needs at least an image")
		return
	}
	if err := naming.ValidatePart(naming.PartComponent, name); err != nil {
		r.keyErrorf(path, "%v", err)
	}
	kind := c.Kind
	if kind == "" {
		kind = name
	}
	switch kind {
	case KindAPI, KindCron, KindHandler, KindJob:
	default:
		if c.Kind == "" {
			r.keyErrorf(path, "component %q needs a kind: api, cron, handler or job", name)
		} else {
			r.errorf(path+".kind", "unknown kind %q; a component is an api, cron, handler or job", c.Kind)
		}
		return
	}
	checkImage(r, path+".image", c.Image)
	only := func(field string, set bool, kinds ...string) {
		if set && !slices.Contains(kinds, kind) {
			r.keyErrorf(path+"."+field, "applies only to %s components, and %s is a %s", strings.Join(kinds, " and "), name, kind)
		}
	}
	only("port", c.Port != 0, KindAPI)
	only("probes", c.Probes != nil, KindAPI)
	only("replicas", c.Replicas != nil, KindAPI, KindHandler)
	only("autoscaling", c.Autoscaling != nil, KindAPI, KindHandler)
	only("schedule", c.Schedule != "", KindCron)
	only("handles", c.Handles != nil, KindHandler)

	if c.Port != 0 {
		for _, msg := range validation.IsValidPortNum(c.Port) {
			r.errorf(path+".port", "%s", msg)
		}
	}
	if c.Replicas != nil && c.Autoscaling != nil {
		r.keyErrorf(path+".autoscaling", "set either replicas or autoscaling, not both")
	}
	if c.Replicas != nil && *c.Replicas < 1 {
		r.errorf(path+".replicas", "must be at least 1, not %d", *c.Replicas)
	}
	if a := c.Autoscaling; a != nil {
		switch {
		case a.Min < 1:
			r.errorf(path+".autoscaling.min", "must be at least 1, not %d", a.Min)
		case a.Max < a.Min:
			r.errorf(path+".autoscaling.max", "must be at least min (%d), not %d", a.Min, a.Max)
		}
		if a.CPU != 0 && (a.CPU < 1 || a.CPU > 100) {
			r.errorf(path+".autoscaling.cpu", "is a percentage from 1 to 100, not %d", a.CPU)
		}
	}
	if p := c.Probes; p != nil {
		for field, value := range map[string]string{"readiness": p.Readiness, "liveness": p.Liveness} {
			if value != "" && !strings.HasPrefix(value, "/") {
				r.errorf(path+".probes."+field, "must be an HTTP path starting with '/', not %q", value)
			}
		}
	}
	if c.Resources != nil {
		checkResourceList(r, path+".resources.requests", c.Resources.Requests)
		checkResourceList(r, path+".resources.limits", c.Resources.Limits)
	}
	if kind == KindCron {
		checkSchedule(r, path+".schedule", c.Schedule)
	}
	if kind == KindHandler {
		if len(c.Handles) == 0 {
			r.keyErrorf(path, "a handler must list the consumed events it handles (handles: [<module>.<event>])")
		}
		for i, ref := range c.Handles {
			field := fmt.Sprintf("%s.handles[%d]", path, i)
			if checkEventRef(r, field, ref) && !slices.Contains(m.Consumes, ref) {
				r.errorf(field, "handles %q, which module %s does not consume; add it to consumes", ref, m.Name)
			}
		}
	}
	checkConfig(r, path+".config", c.Config)
}

// checkSpace reports everything wrong within one space file.
func checkSpace(s *Space, r reporter) {
	checkPart(r, "space", naming.PartSpace, s.Name)
	if s.Name == naming.ReservedSpace {
		r.errorf("space", "%q is reserved for Conveyor's own services; choose another name", s.Name)
	}
	if strings.TrimSpace(s.Team) == "" {
		r.errorf("team", "a space needs its owning team's group (team: <group>), who get the edit role in its namespaces")
	}
	checkUnique(r, "allowFrom", s.AllowFrom)
	for i, from := range s.AllowFrom {
		checkPart(r, fmt.Sprintf("allowFrom[%d]", i), naming.PartSpace, from)
	}
	if q := s.Quota; q != nil {
		checkQuantity(r, "quota.cpu", q.CPU)
		checkQuantity(r, "quota.memory", q.Memory)
		if q.Pods < 0 {
			r.errorf("quota.pods", "must be at least 1, not %d", q.Pods)
		}
	}
	if l := s.Limits; l != nil {
		checkResourceList(r, "limits.defaultRequest", l.DefaultRequest)
		checkResourceList(r, "limits.default", l.Default)
		checkResourceList(r, "limits.max", l.Max)
	}
	checkConfig(r, "config", s.Config)
}

func checkPart(r reporter, path string, part naming.Part, value string) {
	if err := naming.ValidatePart(part, value); err != nil {
		r.errorf(path, "%v", err)
	}
}

func checkUnique(r reporter, path string, values []string) {
	seen := map[string]bool{}
	for i, v := range values {
		if seen[v] {
			r.errorf(fmt.Sprintf("%s[%d]", path, i), "%q is listed twice", v)
		}
		seen[v] = true
	}
}

// EventRef names a consumed event: "<module>.<event>".
type EventRef struct{ Module, Event string }

// ParseEventRef splits "<module>.<event>".
func ParseEventRef(ref string) (EventRef, error) {
	module, event, ok := strings.Cut(ref, ".")
	if !ok {
		return EventRef{}, fmt.Errorf("%q must name an event as <module>.<event>", ref)
	}
	if err := naming.ValidatePart(naming.PartModule, module); err != nil {
		return EventRef{}, fmt.Errorf("in %q: %w", ref, err)
	}
	if err := naming.ValidatePart(naming.PartEvent, event); err != nil {
		return EventRef{}, fmt.Errorf("in %q: %w", ref, err)
	}
	return EventRef{module, event}, nil
}

func (e EventRef) String() string { return e.Module + "." + e.Event }

func checkEventRef(r reporter, path, ref string) bool {
	if _, err := ParseEventRef(ref); err != nil {
		r.errorf(path, "%v", err)
		return false
	}
	return true
}

func checkImage(r reporter, path, image string) {
	if image == "" {
		r.errorf(path, "is required: the image to run, with a tag or digest")
		return
	}
	if err := CheckImage(image); err != nil {
		r.errorf(path, "%v", err)
	}
}

// CheckImage checks an image reference and requires a tag or a digest: an image without one
// means "whatever latest is today", which no environment can reproduce.
func CheckImage(image string) error {
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Errorf("%q is not a valid image reference: %v", image, err)
	}
	_, tagged := ref.(reference.Tagged)
	_, digested := ref.(reference.Digested)
	if !tagged && !digested {
		return fmt.Errorf("image %q has no tag or digest; pin a version (e.g. %s:1.2.3)", image, image)
	}
	return nil
}

func checkSchedule(r reporter, path, schedule string) {
	if schedule == "" {
		r.errorf(path, "a cron component needs a schedule, e.g. \"*/15 * * * *\"")
		return
	}
	// Kubernetes CronJobs take standard five-field schedules and the @hourly-style macros,
	// but not robfig's @every, nor a time zone inside the schedule.
	if strings.HasPrefix(schedule, "@every") {
		r.errorf(path, "%q: Kubernetes does not support @every; write a five-field schedule", schedule)
		return
	}
	if strings.Contains(schedule, "TZ=") {
		r.errorf(path, "%q: a time zone inside the schedule is not supported by Kubernetes", schedule)
		return
	}
	if _, err := cron.ParseStandard(schedule); err != nil {
		r.errorf(path, "%q is not a valid cron schedule: %v", schedule, err)
	}
}

func checkQuantity(r reporter, path string, q Quantity) {
	if q == "" {
		return
	}
	if _, err := resource.ParseQuantity(string(q)); err != nil {
		r.errorf(path, "%q is not a valid quantity (e.g. 250m, 1, 512Mi): %v", q, err)
	}
}

func checkResourceList(r reporter, path string, l *ResourceList) {
	if l == nil {
		return
	}
	checkQuantity(r, path+".cpu", l.CPU)
	checkQuantity(r, path+".memory", l.Memory)
}

// ReservedConfigPrefix starts the environment variables Conveyor sets itself.
const ReservedConfigPrefix = "CONVEYOR_"

func checkConfig(r reporter, path string, config map[string]string) {
	for _, key := range slices.Sorted(maps.Keys(config)) {
		for _, msg := range validation.IsEnvVarName(key) {
			r.keyErrorf(path+"."+key, "%q is not a valid environment variable name: %s", key, msg)
		}
		if strings.HasPrefix(key, ReservedConfigPrefix) {
			r.keyErrorf(path+"."+key, "names starting with %s are set by Conveyor itself", ReservedConfigPrefix)
		}
	}
}

package manifest

import "k8s.io/apimachinery/pkg/api/resource"

// Platform defaults for what a manifest leaves out. Replica counts are not here: they depend
// on the environment (ad-hoc environments run one replica), so the program decides them.
const (
	DefaultPort                   = 8080
	DefaultProbePath              = "/healthz"
	DefaultCPURequest    Quantity = "100m"
	DefaultMemoryRequest Quantity = "128Mi"
	DefaultCPULimit      Quantity = "500m"
	DefaultMemoryLimit   Quantity = "256Mi"
	DefaultCPUTarget              = 70
)

// ContainerLimits is a space's LimitRange for containers: what its file sets, completed with
// the platform's defaults. A component that sets no resources gets these same defaults, so
// it always fits its space.
func ContainerLimits(l *Limits) Limits {
	out := Limits{
		DefaultRequest: &ResourceList{CPU: DefaultCPURequest, Memory: DefaultMemoryRequest},
		Default:        &ResourceList{CPU: DefaultCPULimit, Memory: DefaultMemoryLimit},
	}
	if l == nil {
		return out
	}
	out.DefaultRequest = fill(l.DefaultRequest, out.DefaultRequest.CPU, out.DefaultRequest.Memory)
	out.Default = fill(l.Default, out.Default.CPU, out.Default.Memory)
	if l.Max != nil {
		maxCopy := *l.Max
		out.Max = &maxCopy
	}
	return out
}

// limitsOf is the Limits of a space that may not exist (a module whose space is undeclared).
func limitsOf(s *Space) *Limits {
	if s == nil {
		return nil
	}
	return s.Limits
}

// applyDefaults completes a valid module so that the components read a whole model.
func applyDefaults(m *Module, space *Space) {
	container := ContainerLimits(limitsOf(space))
	for name, c := range m.Components {
		if c.Kind == "" {
			c.Kind = name
		}
		if c.Kind == KindAPI {
			if c.Port == 0 {
				c.Port = DefaultPort
			}
			if c.Probes == nil {
				c.Probes = &Probes{}
			}
			if c.Probes.Readiness == "" {
				c.Probes.Readiness = DefaultProbePath
			}
			if c.Probes.Liveness == "" {
				c.Probes.Liveness = DefaultProbePath
			}
		}
		if c.Autoscaling != nil && c.Autoscaling.CPU == 0 {
			c.Autoscaling.CPU = DefaultCPUTarget
		}
		if c.Resources == nil {
			c.Resources = &Resources{}
		}
		c.Resources.Limits = fill(c.Resources.Limits, container.Default.CPU, container.Default.Memory)
		c.Resources.Requests = fill(c.Resources.Requests,
			smaller(container.DefaultRequest.CPU, c.Resources.Limits.CPU),
			smaller(container.DefaultRequest.Memory, c.Resources.Limits.Memory))
	}
}

// fill returns a copy of l with what it leaves out set.
func fill(l *ResourceList, cpu, memory Quantity) *ResourceList {
	out := ResourceList{}
	if l != nil {
		out = *l
	}
	if out.CPU == "" {
		out.CPU = cpu
	}
	if out.Memory == "" {
		out.Memory = memory
	}
	return &out
}

// smaller is the smaller of two valid quantities: a request left out never exceeds the
// component's own limit, which Kubernetes would refuse.
func smaller(a, b Quantity) Quantity {
	if compare(a, b) > 0 {
		return b
	}
	return a
}

// compare orders two quantities; one that does not parse (already reported) compares equal.
func compare(a, b Quantity) int {
	qa, errA := resource.ParseQuantity(string(a))
	qb, errB := resource.ParseQuantity(string(b))
	if errA != nil || errB != nil {
		return 0
	}
	return qa.Cmp(qb)
}

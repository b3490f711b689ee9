package manifest

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

// applyDefaults completes a valid module so that the components read a whole model.
func applyDefaults(m *Module) {
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
		c.Resources.Requests = fill(c.Resources.Requests, DefaultCPURequest, DefaultMemoryRequest)
		c.Resources.Limits = fill(c.Resources.Limits, DefaultCPULimit, DefaultMemoryLimit)
	}
}

func fill(l *ResourceList, cpu, memory Quantity) *ResourceList {
	if l == nil {
		l = &ResourceList{}
	}
	if l.CPU == "" {
		l.CPU = cpu
	}
	if l.Memory == "" {
		l.Memory = memory
	}
	return l
}

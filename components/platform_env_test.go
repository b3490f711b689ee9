package components_test

import (
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
)

// Every variable the platform sets in a module's containers, on GCP and on a local cluster,
// is one the manifest loader refuses to let a manifest set: the loader's reservation comes
// from the naming package, and a variable injected without a name from there fails here.
func TestPlatformVariablesAreReserved(t *testing.T) {
	cat := loadCatalog(t)
	pods := map[string]string{
		typeDeployment: "spec.template.spec",
		typeCronJob:    "spec.jobTemplate.spec.template.spec",
		typeJob:        "spec.template.spec",
	}
	for _, env := range []struct {
		env   components.Environment
		local bool
	}{{components.Environment{Name: "dev"}, false}, {components.Environment{Name: "local", AdHoc: true}, true}} {
		t.Run(env.env.Name, func(t *testing.T) {
			rec := deploy(t, env.env, env.local)
			checked := 0
			for typ, pod := range pods {
				for _, res := range evaluationtest.OfType(rec, typ) {
					r := &res
					labels := labelsOf(r, "metadata.labels")
					m := cat.Module(labels[naming.LabelModule])
					component := labels["conveyor.io/component"]
					if m == nil || m.Components[component] == nil {
						continue // the platform's own workloads and setup jobs
					}
					config := map[string]bool{}
					for _, s := range cat.ResolveConfig(m, component) {
						config[s.Key] = true
					}
					for name := range envOf(r, pod+".containers[0]") {
						if config[name] {
							continue
						}
						checked++
						if _, ok := naming.ReservedEnvPrefix(name); !ok {
							t.Errorf("%s %s sets %s, which a manifest may also set: reserve it in naming", typ, r.Name, name)
						}
					}
				}
			}
			if checked == 0 {
				t.Fatal("no platform variable found in any container")
			}
		})
	}
}

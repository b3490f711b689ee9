package rules

import (
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/naming"
)

// In production, Binary Authorization admits a module's image only if main's pipeline attested
// its digest (CONV-IMG-001 keeps them digests), and the platform's own images only by the
// digests its policy exempts (components/images.AdmittedInProduction). A platform container
// (the Cloud SQL Auth Proxy sidecar beside a module's containers, any container of the
// platform namespace's jobs) with another image would be refused at admission: the module's
// pods, or its database setup, would never start. The pack says so at preview instead.
func platformImageRules() []Rule {
	return []Rule{{
		ID: "CONV-IMG-004", Severity: SeverityCritical, Types: WorkloadTypes(),
		Description: "In " + naming.ProductionStack + ", the platform's own containers (the Cloud SQL Auth Proxy sidecar, the platform " +
			"namespace's jobs) run only the images production's Binary Authorization policy admits by digest.",
		Remediation: "Use components/images' CloudSQLProxy and DatabaseClient, which images.AdmittedInProduction lists and the " +
			"cluster stack's policy exempts by digest; to change one, change it there and apply cluster-prod first.",
		Check: checkPlatformImages,
	}}
}

func checkPlatformImages(r Resource) []Finding {
	if r.Environment != naming.ProductionStack {
		return nil
	}
	ns := inputs(r).at("metadata.namespace")
	if ns.unknown() {
		return []Finding{undecided(ns)}
	}
	platform := ns.str() == naming.PlatformNamespace(naming.ProductionStack)
	admitted := images.AdmittedInProduction()
	return forContainers(r, func(_ pod, c container) []Finding {
		if !platform && c.key("name").str() != naming.SQLProxyContainer {
			return nil // a module's own image, which main's pipeline attests
		}
		img := c.key("image")
		if img.unknown() {
			return []Finding{undecided(img)}
		}
		if !slices.Contains(admitted, img.str()) {
			return []Finding{violationf("%s: image %s is not one of the platform's images production's Binary Authorization admits (%s): the pod would be refused",
				c.label, img.show(), strings.Join(admitted, ", "))}
		}
		return nil
	})
}

package rules

import (
	"cmp"

	"github.com/conveyor-paas/conveyor/naming"
)

// The image rules hold the supply chain: production runs bytes named by their digest, every
// environment pulls only from the registries its cluster allows, and a tag, which can move,
// is pulled again at every start rather than trusted from a node's cache.
func imageRules() []Rule {
	return []Rule{
		{
			ID:       "CONV-IMG-001",
			Severity: SeverityCritical,
			Description: "In " + naming.ProductionStack + ", every container image is pinned to a digest " +
				"(what staging ran, never a tag that can move).",
			Remediation: "Promote to " + naming.ProductionStack + " from staging's release record (`conveyor promote --from staging " +
				"--to prod --save-plan prod.plan.json`), which carries repo:tag@sha256:<digest>; never set a tag in prod's stack file.",
			Types: WorkloadTypes(),
			Check: func(r Resource) []Finding {
				if r.Environment != naming.ProductionStack {
					return nil
				}
				return forContainers(r, checkDigest)
			},
		},
		{
			ID:       "CONV-IMG-002",
			Severity: SeverityHigh,
			Description: "Images come from the registries the cluster allows (conveyor:allowedRegistries, on every " +
				"namespace as " + naming.AllowedRegistriesAnnotation + ").",
			Remediation: "Push the image to an allowed registry, or add its registry to the cluster stack's " +
				"conveyor:allowedRegistries (a platform team's change).",
			Types:      append(WorkloadTypes(), TypeNamespace),
			CheckStack: checkRegistries,
		},
		containerRule("CONV-IMG-003", SeverityMedium,
			"imagePullPolicy is IfNotPresent only for an image pinned to a digest; a tag is pulled Always.",
			"Pin the image to a digest (repo:tag@sha256:<digest>), or set imagePullPolicy: Always.",
			checkPullPolicy),
	}
}

func checkDigest(_ pod, c container) []Finding {
	img := c.key("image")
	if img.unknown() {
		return []Finding{undecided(img)}
	}
	if !naming.Pinned(img.str()) {
		return []Finding{violationf("%s: image %s is not pinned to a digest", c.label, img.show())}
	}
	return nil
}

func checkPullPolicy(_ pod, c container) []Finding {
	img, policy := c.key("image"), c.key("imagePullPolicy")
	switch {
	case img.unknown():
		return []Finding{undecided(img)}
	case policy.unknown():
		return []Finding{undecided(policy)}
	}
	if !naming.Pinned(img.str()) && policy.str() != "Always" {
		// Unset, Kubernetes pulls a tag other than latest IfNotPresent.
		return []Finding{violationf("%s: image %s is a tag, pulled %s: a node keeps running what the tag named when it first pulled it",
			c.label, img.show(), cmp.Or(policy.str(), "IfNotPresent (unset)"))}
	}
	return nil
}

// checkRegistries checks every container of every workload against the registries its
// namespace allows; a namespace of the stack without the annotation allows none.
func checkRegistries(s Stack) []Finding {
	allowed := map[string][]string{}
	for _, ns := range objectsOf(s, TypeNamespace) {
		a := inputs(ns.Resource).at("metadata.annotations").key(naming.AllowedRegistriesAnnotation)
		if a.unknown() {
			return []Finding{{URN: ns.URN, Undecided: true, Message: undecided(a).Message}}
		}
		allowed[ns.name.str()] = naming.SplitRegistries(a.str())
	}
	var out []Finding
	for _, r := range s.Resources {
		if _, ok := podOf(r); !ok {
			continue
		}
		ns := inputs(r).at("metadata.namespace")
		if ns.unknown() {
			out = append(out, Finding{URN: r.URN, Undecided: true, Message: undecided(ns).Message})
			continue
		}
		registries := allowed[ns.str()]
		for _, f := range forContainers(r, func(_ pod, c container) []Finding {
			img := c.key("image")
			if img.unknown() {
				return []Finding{undecided(img)}
			}
			if !naming.RegistryAllowed(img.str(), registries) {
				return []Finding{violationf("%s: image %s is from no registry namespace %s allows (%s)",
					c.label, img.show(), ns.show(), cmp.Or(naming.JoinRegistries(registries), "none"))}
			}
			return nil
		}) {
			f.URN = r.URN
			out = append(out, f)
		}
	}
	return out
}

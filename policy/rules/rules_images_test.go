package rules

import (
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/naming"
)

func TestImageRules(t *testing.T) { runCases(t, imageCases()) }

func imageCases() []ruleCase {
	const (
		image  = "spec.template.spec.containers.0.image"
		policy = "spec.template.spec.containers.0.imagePullPolicy"
		digest = "@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
	)
	api := apiScope()
	dep := deployment(api)
	prod := apiScope()
	prod.Environment = naming.ProductionStack
	prodDep := deployment(prod)
	return []ruleCase{
		{rule: "CONV-IMG-001", name: "a tag in prod", env: naming.ProductionStack,
			resources: stack(deployment(prod)),
			want:      []outcome{mandatory(prodDep.URN, `container "api": image "ghcr.io/acme/quotes:1.4.2" is not pinned to a digest`)}},
		{rule: "CONV-IMG-001", name: "a cronjob's tag in prod", env: naming.ProductionStack,
			resources: stack(cronJob(func() naming.Scope { s := prod; s.Component = "cleanup"; return s }())),
			want: []outcome{mandatory(cronJob(func() naming.Scope { s := prod; s.Component = "cleanup"; return s }()).URN,
				`container "cleanup": image "ghcr.io/acme/quotes:1.4.2" is not pinned to a digest`)}},
		{rule: "CONV-IMG-001", name: "a digest in prod", env: naming.ProductionStack,
			resources: stack(deployment(prod, set(image, "ghcr.io/acme/quotes:1.4.2"+digest)))},
		{rule: "CONV-IMG-001", name: "a tag elsewhere is for the other rules",
			resources: stack(deployment(api))},

		{rule: "CONV-IMG-002", name: "from an allowed registry",
			resources: stack(namespace(spaceScope()), deployment(api))},
		{rule: "CONV-IMG-002", name: "from another registry",
			resources: stack(namespace(spaceScope()), deployment(api, set(image, "docker.io/mallory/quotes:1.4.2"))),
			want:      []outcome{mandatory(dep.URN, `container "api": image "docker.io/mallory/quotes:1.4.2" is from no registry namespace "dev-sales" allows (ghcr.io/acme,docker.io/library,gcr.io/cloud-sql-connectors)`)}},
		{rule: "CONV-IMG-002", name: "a registry whose name starts like an allowed one",
			resources: stack(namespace(spaceScope()), deployment(api, set(image, "ghcr.io/acme-evil/quotes:1.4.2"))),
			want:      []outcome{mandatory(dep.URN, `container "api": image "ghcr.io/acme-evil/quotes:1.4.2" is from no registry namespace "dev-sales" allows (ghcr.io/acme,docker.io/library,gcr.io/cloud-sql-connectors)`)}},
		{rule: "CONV-IMG-002", name: "a namespace that allows none",
			resources: stack(namespace(spaceScope(), del("metadata.annotations")), deployment(api)),
			want:      []outcome{mandatory(dep.URN, `container "api": image "ghcr.io/acme/quotes:1.4.2" is from no registry namespace "dev-sales" allows (none)`)}},
		{rule: "CONV-IMG-002", name: "image not known during preview",
			resources: stack(namespace(spaceScope()), deployment(api, set(image, computed))),
			want:      []outcome{cannotDecide(dep.URN, "spec.template.spec.containers[0].image")}},

		{rule: "CONV-IMG-003", name: "a tag pulled if not present",
			resources: stack(deployment(api, set(policy, "IfNotPresent"))),
			want:      []outcome{mandatory(dep.URN, `container "api": image "ghcr.io/acme/quotes:1.4.2" is a tag, pulled IfNotPresent: a node keeps running what the tag named when it first pulled it`)}},
		{rule: "CONV-IMG-003", name: "a tag with the default policy",
			resources: stack(deployment(api, del(policy))),
			want:      []outcome{mandatory(dep.URN, `container "api": image "ghcr.io/acme/quotes:1.4.2" is a tag, pulled IfNotPresent (unset): a node keeps running what the tag named when it first pulled it`)}},
		{rule: "CONV-IMG-003", name: "a digest pulled if not present",
			resources: stack(deployment(api, set(image, "ghcr.io/acme/quotes:1.4.2"+digest), set(policy, "IfNotPresent")))},
	}
}

func TestRegistryAllowed(t *testing.T) {
	allowed := naming.SplitRegistries(testRegistries)
	for img, want := range map[string]bool{
		"ghcr.io/acme/quotes:1":         true,
		"ghcr.io/acme/team/quotes:1":    true,
		"postgres:16.6-alpine":          true,
		"docker.io/library/busybox:1":   true,
		"ghcr.io/acmecorp/quotes:1":     false,
		"ghcr.io/quotes:1":              false,
		"docker.io/acme/quotes:1":       false,
		"not a reference":               false,
		strings.Repeat("x", 300) + ":1": false,
	} {
		if got := naming.RegistryAllowed(img, allowed); got != want {
			t.Errorf("RegistryAllowed(%.40q) = %v, want %v", img, got, want)
		}
	}
}

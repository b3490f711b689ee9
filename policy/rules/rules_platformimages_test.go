package rules

import (
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/naming"
)

func TestPlatformImageRules(t *testing.T) { runCases(t, platformImageCases()) }

// platformImageCases: in prod, the proxy sidecar and the platform namespace's jobs run only
// the images production's Binary Authorization policy exempts by digest; a module's own
// image is attested by main's pipeline, and another environment is dry-run.
func platformImageCases() []ruleCase {
	const (
		proxyImage = podSpecPath + ".initContainers.0.image"
		jobImage   = podSpecPath + ".containers.0.image"
		other      = "@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
	)
	prod := apiScope()
	prod.Environment = naming.ProductionStack
	dep := func(mods ...mutation) Resource {
		return deployment(prod, append([]mutation{withProxy(podSpecPath), set(jobImage, "ghcr.io/acme/quotes:1.4.2"+other)}, mods...)...)
	}
	setup := func(mods ...mutation) Resource {
		return setupJob(prod, append([]mutation{set(jobImage, images.DatabaseClient)}, mods...)...)
	}
	repo, _, _ := strings.Cut(images.CloudSQLProxy, "@")
	admitted := strings.Join(images.AdmittedInProduction(), ", ")
	refused := func(r Resource, label, image string) outcome {
		return mandatory(r.URN, label+`: image "`+image+`" is not one of the platform's images production's Binary Authorization admits (`+admitted+`): the pod would be refused`)
	}
	dev := apiScope()
	return []ruleCase{
		{rule: "CONV-IMG-004", name: "the admitted proxy beside a module's attested image", env: naming.ProductionStack,
			resources: stack(dep())},
		{rule: "CONV-IMG-004", name: "the proxy at another digest", env: naming.ProductionStack,
			resources: stack(dep(set(proxyImage, repo+other))),
			want:      []outcome{refused(dep(), `init container "cloud-sql-proxy"`, repo+other)}},
		{rule: "CONV-IMG-004", name: "the proxy by its tag", env: naming.ProductionStack,
			resources: stack(dep(set(proxyImage, repo))),
			want:      []outcome{refused(dep(), `init container "cloud-sql-proxy"`, repo)}},
		{rule: "CONV-IMG-004", name: "the database setup with the admitted client", env: naming.ProductionStack,
			resources: stack(setup())},
		{rule: "CONV-IMG-004", name: "the database setup with a tag", env: naming.ProductionStack,
			resources: stack(setup(set(jobImage, images.LocalPostgres))),
			want:      []outcome{refused(setup(), `container "`+naming.DatabaseSetupComponent+`"`, images.LocalPostgres)}},
		{rule: "CONV-IMG-004", name: "a pinned image the policy does not exempt, in the platform namespace", env: naming.ProductionStack,
			resources: stack(setup(set(jobImage, "docker.io/library/busybox"+other))),
			want:      []outcome{refused(setup(), `container "`+naming.DatabaseSetupComponent+`"`, "docker.io/library/busybox"+other)}},
		{rule: "CONV-IMG-004", name: "the namespace not known during preview", env: naming.ProductionStack,
			resources: stack(dep(set("metadata.namespace", computed))),
			want:      []outcome{cannotDecide(dep().URN, "metadata.namespace")}},
		{rule: "CONV-IMG-004", name: "another environment's proxy is dry-run",
			resources: stack(deployment(dev, withProxy(podSpecPath), set(proxyImage, repo+other)))},
	}
}

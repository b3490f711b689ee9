package components_test

import (
	"fmt"
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

const (
	typeDeployment = "kubernetes:apps/v1:Deployment"
	typeService    = "kubernetes:core/v1:Service"
	typeHPA        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	typePDB        = "kubernetes:policy/v1:PodDisruptionBudget"
	typeCronJob    = "kubernetes:batch/v1:CronJob"
	typeJob        = "kubernetes:batch/v1:Job"
)

func TestComponentKinds(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "dev"}, false)
	tests := []struct {
		kind      string
		component string
		typ       string
		pod       string // path of the pod spec
		wantImage string
		wantProbe bool
	}{
		{"api", "api", typeDeployment, "spec.template.spec", "ghcr.io/acme/claims:2.0.0", true},
		// The handler runs the image the environment pinned, not the manifest's.
		{"handler", "intake", typeDeployment, "spec.template.spec", "ghcr.io/acme/claims:2.0.1", false},
		{"cron", "nightly", typeCronJob, "spec.jobTemplate.spec.template.spec", "ghcr.io/acme/claims:2.0.0", false},
		{"job", "migrate", typeJob, "spec.template.spec", "ghcr.io/acme/claims-migrate:2.0.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			name := "claims-" + tt.component
			r := must(t, rec, tt.typ, name)
			if got := str(r, "metadata.name"); got != name {
				t.Errorf("name = %q", got)
			}
			if got := str(r, "metadata.namespace"); got != "dev-claims" {
				t.Errorf("namespace = %q", got)
			}
			labels := labelsOf(r, "metadata.labels")
			for key, want := range map[string]string{
				"app.kubernetes.io/name": "claims", "app.kubernetes.io/component": tt.component,
				"app.kubernetes.io/part-of": "claims", "app.kubernetes.io/managed-by": "conveyor",
				"conveyor.io/environment": "dev", "conveyor.io/space": "claims",
				"conveyor.io/module": "claims", "conveyor.io/component": tt.component,
			} {
				if labels[key] != want {
					t.Errorf("label %s = %q, want %q", key, labels[key], want)
				}
			}
			c := tt.pod + ".containers[0]"
			if got := str(r, c+".image"); got != tt.wantImage {
				t.Errorf("image = %q, want %q", got, tt.wantImage)
			}
			for path, want := range map[string]string{
				tt.pod + ".securityContext.runAsNonRoot":        "true",
				tt.pod + ".securityContext.seccompProfile.type": "RuntimeDefault",
				tt.pod + ".automountServiceAccountToken":        "false",
				tt.pod + ".serviceAccountName":                  "claims",
				c + ".securityContext.allowPrivilegeEscalation": "false",
				c + ".securityContext.readOnlyRootFilesystem":   "true",
				c + ".securityContext.capabilities.drop[0]":     "ALL",
				c + ".securityContext.seccompProfile.type":      "RuntimeDefault",
				c + ".resources.requests.cpu":                   "100m",
				c + ".resources.limits.memory":                  "256Mi",
				tt.pod + ".volumes[0].name":                     "tmp",
				c + ".volumeMounts[0].mountPath":                "/tmp",
			} {
				if v, _ := lookupString(r, path); v != want {
					t.Errorf("%s = %q, want %q", path, v, want)
				}
			}
			if _, hasProbe := lookupString(r, c+".readinessProbe.httpGet.path"); hasProbe != tt.wantProbe {
				t.Errorf("readiness probe present = %v, want %v", hasProbe, tt.wantProbe)
			}
			chain := parentChain(rec, r)
			if len(chain) < 2 || chain[0] != "conveyor:platform:Component::"+name || chain[1] != "conveyor:platform:Module::claims" {
				t.Errorf("parent chain = %v", chain)
			}
		})
	}
}

// lookupString renders a scalar as text, so that one table compares bools and strings alike.
func lookupString(r *evaluation.Resource, path string) (string, bool) {
	v, ok := evaluationtest.Lookup(r.Inputs, path)
	if !ok {
		return "", false
	}
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	switch {
	case v.IsString():
		return v.StringValue(), true
	case v.IsBool():
		return fmt.Sprint(v.BoolValue()), true
	case v.IsNumber():
		return fmt.Sprint(v.NumberValue()), true
	}
	return v.String(), true
}

func TestAPI(t *testing.T) {
	tests := []struct {
		name         string
		env          components.Environment
		module       string
		wantReplicas string // "" when an autoscaler owns the count
		wantHPA      bool
	}{
		{"fixed replicas", components.Environment{Name: "dev"}, "claims", "3", false},
		{"autoscaled", components.Environment{Name: "dev"}, "quotes", "", true},
		{"ad-hoc runs one replica and never autoscales", components.Environment{Name: "pr-7", AdHoc: true}, "quotes", "1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := deploy(t, tt.env, false)
			name := tt.module + "-api"
			d := must(t, rec, typeDeployment, name)
			replicas, _ := lookupString(d, "spec.replicas")
			if replicas != tt.wantReplicas {
				t.Errorf("replicas = %q, want %q", replicas, tt.wantReplicas)
			}
			if hpa := evaluationtest.Find(rec, typeHPA, name); (hpa != nil) != tt.wantHPA {
				t.Fatalf("autoscaler present = %v, want %v", hpa != nil, tt.wantHPA)
			} else if hpa != nil {
				for path, want := range map[string]string{
					"spec.minReplicas": "2", "spec.maxReplicas": "5", "spec.scaleTargetRef.name": name,
					"spec.metrics[0].resource.target.averageUtilization": "70",
				} {
					if got, _ := lookupString(hpa, path); got != want {
						t.Errorf("autoscaler %s = %q, want %q", path, got, want)
					}
				}
			}
			svc := must(t, rec, typeService, name)
			for path, want := range map[string]string{
				"spec.type": "ClusterIP", "spec.ports[0].port": "80", "spec.ports[0].targetPort": "http",
			} {
				if got, _ := lookupString(svc, path); got != want {
					t.Errorf("service %s = %q, want %q", path, got, want)
				}
			}
			if sel := labelsOf(svc, "spec.selector"); sel["conveyor.io/module"] != tt.module || sel["conveyor.io/component"] != "api" {
				t.Errorf("service selector = %v", sel)
			}
			pdb := must(t, rec, typePDB, name)
			if got, _ := lookupString(pdb, "spec.maxUnavailable"); got != "1" {
				t.Errorf("disruption budget maxUnavailable = %q", got)
			}
			if got, _ := lookupString(d, "spec.template.spec.topologySpreadConstraints[0].topologyKey"); got != "topology.kubernetes.io/zone" {
				t.Errorf("api is not spread across zones: %q", got)
			}
			// The api rolls out after its module's migration job.
			job := must(t, rec, typeJob, tt.module+"-migrate")
			if !dependsOn(d, job) {
				t.Errorf("api deployment does not depend on its job; deps %v", d.Dependencies)
			}
		})
	}
}

func TestCron(t *testing.T) {
	rec := deploy(t, components.Environment{Name: "dev"}, false)
	cron := must(t, rec, typeCronJob, "claims-nightly")
	for path, want := range map[string]string{
		"spec.schedule": "0 2 * * *", "spec.concurrencyPolicy": "Forbid",
		"spec.successfulJobsHistoryLimit": "3", "spec.failedJobsHistoryLimit": "3",
		"spec.startingDeadlineSeconds": "300", "spec.jobTemplate.spec.backoffLimit": "2",
		"spec.jobTemplate.spec.activeDeadlineSeconds":                  "3600",
		"spec.jobTemplate.spec.template.spec.restartPolicy":            "Never",
		"spec.jobTemplate.spec.template.spec.containers[0].command[1]": "nightly",
	} {
		if got, _ := lookupString(cron, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
}

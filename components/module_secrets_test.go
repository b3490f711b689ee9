package components_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

// holding is one place a value was found: a resource, the path in its inputs, and whether it
// is a Pulumi secret there.
type holding struct {
	typ, name, path string
	secret          bool
}

// find walks every input of every resource, looking through secrets, and reports each string
// that contains value.
func find(rec *evaluation.Recording, value string) []holding {
	var out []holding
	var walk func(r *evaluation.Resource, path string, v resource.PropertyValue, secret bool)
	walk = func(r *evaluation.Resource, path string, v resource.PropertyValue, secret bool) {
		switch {
		case v.IsSecret():
			walk(r, path, v.SecretValue().Element, true)
		case v.IsString():
			if strings.Contains(v.StringValue(), value) {
				out = append(out, holding{r.Type, r.Name, path, secret})
			}
		case v.IsArray():
			for i, e := range v.ArrayValue() {
				walk(r, fmt.Sprintf("%s[%d]", path, i), e, secret)
			}
		case v.IsObject():
			for k, e := range v.ObjectValue() {
				walk(r, strings.TrimPrefix(path+"."+string(k), "."), e, secret)
			}
		}
	}
	for i := range rec.Resources {
		walk(&rec.Resources[i], "", resource.NewObjectProperty(rec.Resources[i].Inputs), false)
	}
	return out
}

// TestPasswordsStayInTheirSecrets: every generated password (a module's, the local
// superuser's) is found only where it must be, in a Kubernetes Secret or as the Cloud SQL
// user's password, and is a Pulumi secret there. Not in a pod's env values, a command, an
// annotation or any other object, as a secret or not: a secret placed in a Deployment is
// encrypted in Pulumi's state but plain in the Kubernetes object, for anyone who can read
// Deployments. Pods read the password through a secretKeyRef only.
func TestPasswordsStayInTheirSecrets(t *testing.T) {
	tests := []struct {
		name  string
		env   components.Environment
		local bool
	}{
		{"gcp", components.Environment{Name: "dev"}, false},
		{"production", components.Environment{Name: "prod", Production: true}, false},
		{"local", components.Environment{Name: "local", AdHoc: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := deploy(t, tt.env, tt.local)
			passwords := evaluationtest.OfType(rec, typeRandomPassword)
			if len(passwords) < 2 {
				t.Fatalf("%d generated passwords, want one per module with a database at least", len(passwords))
			}
			for _, p := range passwords {
				// The password's value is the simulated result, read back where the program
				// put it: its own database Secret's password key.
				value := ""
				for _, s := range evaluationtest.OfType(rec, typeSecret) {
					if dependsOn(&s, &p) && evaluationtest.String(s.Inputs, "stringData.password") != "" {
						value = evaluationtest.String(s.Inputs, "stringData.password")
					}
				}
				if value == "" {
					t.Fatalf("password %s reaches no Secret", p.Name)
				}
				holdings := find(rec, value)
				if len(holdings) == 0 {
					t.Fatalf("password %s found nowhere", p.Name)
				}
				for _, h := range holdings {
					allowed := h.typ == typeSecret && strings.HasPrefix(h.path, "stringData.") ||
						h.typ == typeSQLUser && h.path == "password"
					if !allowed {
						t.Errorf("password %s is in %s %s at %s", p.Name, h.typ, h.name, h.path)
					}
					if !h.secret {
						t.Errorf("password %s is in plain text in %s %s at %s", p.Name, h.typ, h.name, h.path)
					}
				}
			}
			// And the pods do read it, by reference.
			api := must(t, rec, typeDeployment, "quotes-api")
			if env := envOf(api, "spec.template.spec.containers[0]"); env["DATABASE_PASSWORD"] != "secret:quotes-database/password" {
				t.Errorf("DATABASE_PASSWORD = %q, want a reference to the Secret", env["DATABASE_PASSWORD"])
			}
		})
	}
}

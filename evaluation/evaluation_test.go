package evaluation

import (
	"errors"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func run(t *testing.T, program pulumi.RunFunc) (*Recording, error) {
	t.Helper()
	return Run(program, Options{Project: "conveyor", Stack: "test"})
}

func TestRunReturnsTheProgramsError(t *testing.T) {
	failure := errors.New("the program failed")
	_, err := run(t, func(*pulumi.Context) error { return failure })
	if !errors.Is(err, failure) {
		t.Fatalf("Run returned %v, want an error wrapping %v", err, failure)
	}
}

func TestRunRaisesTheProgramsPanicInTheCaller(t *testing.T) {
	defer func() {
		if got := recover(); got != "boom" {
			t.Fatalf("recovered %v, want the program's panic", got)
		}
	}()
	_, _ = run(t, func(*pulumi.Context) error { panic("boom") })
	t.Fatal("Run returned instead of panicking")
}

func TestIsCustomResource(t *testing.T) {
	for typ, want := range map[string]bool{
		"kubernetes:apps/v1:Deployment":                               false,
		"kubernetes:core/v1:Namespace":                                false,
		"kubernetes:networking.k8s.io/v1:NetworkPolicy":               false,
		"kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition": false,
		"kubernetes:monitoring.coreos.com/v1:ServiceMonitor":          true,
		"kubernetes:cert-manager.io/v1:Certificate":                   true,
		"kubernetes:yaml/v2:ConfigGroup":                              false,
		"gcp:pubsub/topic:Topic":                                      false,
		"pulumi:providers:kubernetes":                                 false,
	} {
		if got := isCustomResource(typ); got != want {
			t.Errorf("isCustomResource(%q) = %v, want %v", typ, got, want)
		}
	}
}

// A simulated id is never the resource's logical name, and never another resource's id: a
// test that compares a reference with an id can then tell the right resource from a wrong
// one, and from a name.
func TestSimulatedIDsAreNotNames(t *testing.T) {
	rec, err := run(t, func(ctx *pulumi.Context) error {
		for _, name := range []string{"a", "b"} {
			if _, err := corev1.NewNamespace(ctx, name, &corev1.NamespaceArgs{Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(name)}}); err != nil {
				return err
			}
			if _, err := corev1.NewConfigMap(ctx, name, &corev1.ConfigMapArgs{Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(name)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, r := range rec.Custom() {
		if r.ID == "" || r.ID == r.Name {
			t.Errorf("%s %s has the id %q", r.Type, r.Name, r.ID)
		}
		if other, ok := seen[r.ID]; ok {
			t.Errorf("%s %s and %s share the id %q", r.Type, r.Name, other, r.ID)
		}
		seen[r.ID] = r.Type + " " + r.Name
	}
	if len(seen) != 4 {
		t.Errorf("%d resources recorded, want 4", len(seen))
	}
}

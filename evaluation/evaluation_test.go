package evaluation

import (
	"errors"
	"strings"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
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

// The monitor answers a registration with the computed values only; every other output must
// still resolve to the resource's input of that name, secrets staying secret.
func TestOutputsResolveFromTheInputs(t *testing.T) {
	rec, err := run(t, func(ctx *pulumi.Context) error {
		ns, err := corev1.NewNamespace(ctx, "team", &corev1.NamespaceArgs{
			Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("team-ns"), Labels: pulumi.StringMap{"a": pulumi.String("b")}},
		})
		if err != nil {
			return err
		}
		password, err := random.NewRandomPassword(ctx, "password", &random.RandomPasswordArgs{Length: pulumi.Int(16)})
		if err != nil {
			return err
		}
		secret, err := corev1.NewSecret(ctx, "secret", &corev1.SecretArgs{
			Metadata:   &metav1.ObjectMetaArgs{Name: pulumi.String("db"), Namespace: ns.Metadata.Name()},
			StringData: pulumi.StringMap{"password": password.Result},
		})
		if err != nil {
			return err
		}
		_, err = corev1.NewConfigMap(ctx, "copy", &corev1.ConfigMapArgs{
			Metadata: &metav1.ObjectMetaArgs{
				Name:      pulumi.String("copy"),
				Namespace: ns.Metadata.Name(),
				Labels:    ns.Metadata.Labels(),
			},
			Data: secret.StringData,
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cm := rec.Find("kubernetes:core/v1:ConfigMap", "copy")
	if cm == nil {
		t.Fatal("the ConfigMap was not recorded")
	}
	if got := String(cm.Inputs, "metadata.namespace"); got != "team-ns" {
		t.Errorf("metadata.namespace = %q, want the Namespace's name", got)
	}
	if got := String(cm.Inputs, "metadata.labels.a"); got != "b" {
		t.Errorf("metadata.labels.a = %q, want the Namespace's label", got)
	}
	v, ok := Lookup(cm.Inputs, "data.password")
	if !ok || !v.ContainsSecrets() {
		t.Fatalf("data.password = %v, want the password, as a secret", v)
	}
	if got := String(cm.Inputs, "data.password"); !strings.HasPrefix(got, "simulated-") {
		t.Errorf("data.password = %q, want the simulated password", got)
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

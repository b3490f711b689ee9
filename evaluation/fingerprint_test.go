package evaluation

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// moduleProgram declares a namespace outside any module and, per module, a Module component
// with a ConfigMap under it holding data and a secret.
func moduleProgram(data map[string]string, secret string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		if _, err := corev1.NewNamespace(ctx, "ns", &corev1.NamespaceArgs{Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("ns")}}); err != nil {
			return err
		}
		for _, m := range []string{"quotes", "claims"} {
			var comp struct{ pulumi.ResourceState }
			if err := ctx.RegisterComponentResource(naming.TypeModule, m, &comp); err != nil {
				return err
			}
			_, err := corev1.NewConfigMap(ctx, m+"-config", &corev1.ConfigMapArgs{
				Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(m), Namespace: pulumi.String("ns")},
				Data:     pulumi.StringMap{"value": pulumi.String(data[m]), "password": pulumi.ToSecret(pulumi.String(secret)).(pulumi.StringOutput)},
			}, pulumi.Parent(&comp))
			if err != nil {
				return err
			}
		}
		return nil
	}
}

func fingerprintsOf(t *testing.T, program pulumi.RunFunc) Fingerprints {
	t.Helper()
	rec, err := run(t, program)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Fingerprints()
}

func TestFingerprintsChangeWithTheModuleThatChanges(t *testing.T) {
	before := fingerprintsOf(t, moduleProgram(map[string]string{"quotes": "1", "claims": "1"}, "s3cret"))
	if got := len(before.Modules); got != 2 {
		t.Fatalf("%d module fingerprints, want 2: %v", got, before.Modules)
	}
	for _, tc := range []struct {
		name        string
		program     pulumi.RunFunc
		wantChanged []string // modules whose fingerprint differs from before
	}{
		{"the same program", moduleProgram(map[string]string{"quotes": "1", "claims": "1"}, "s3cret"), nil},
		{"one module's input", moduleProgram(map[string]string{"quotes": "2", "claims": "1"}, "s3cret"), []string{"quotes"}},
		{"both modules' inputs", moduleProgram(map[string]string{"quotes": "2", "claims": "2"}, "s3cret"), []string{"claims", "quotes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			after := fingerprintsOf(t, tc.program)
			if diff := cmp.Diff(tc.wantChanged, before.Changed(after)); diff != "" {
				t.Errorf("changed modules (-want +got):\n%s", diff)
			}
			if after.Base != before.Base {
				t.Errorf("the base changed with the modules only: %s -> %s", before.Base, after.Base)
			}
			if same := after.Environment() == before.Environment(); same != (len(tc.wantChanged) == 0) {
				t.Errorf("environment fingerprint unchanged = %v, want %v", same, len(tc.wantChanged) == 0)
			}
		})
	}
}

// A secret's value never reaches a fingerprint, which is recorded in plain text: a change of
// a secret is told by the ciphertext of its configuration instead (see Fingerprints).
func TestFingerprintsHoldNoSecret(t *testing.T) {
	a := fingerprintsOf(t, moduleProgram(map[string]string{"quotes": "1", "claims": "1"}, "s3cret"))
	b := fingerprintsOf(t, moduleProgram(map[string]string{"quotes": "1", "claims": "1"}, "other"))
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("a secret's value changed the fingerprints (-a +b):\n%s", diff)
	}
	if strings.Contains(a.Environment(), "s3cret") {
		t.Error("the fingerprint holds the secret")
	}
}

func TestFingerprintsSeeANewResource(t *testing.T) {
	before := fingerprintsOf(t, moduleProgram(map[string]string{"quotes": "1", "claims": "1"}, "s"))
	after := fingerprintsOf(t, func(ctx *pulumi.Context) error {
		if err := moduleProgram(map[string]string{"quotes": "1", "claims": "1"}, "s")(ctx); err != nil {
			return err
		}
		_, err := corev1.NewNamespace(ctx, "other", &corev1.NamespaceArgs{Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("other")}})
		return err
	})
	if after.Base == before.Base {
		t.Error("a namespace added outside the modules left the base's fingerprint alone")
	}
	if diff := cmp.Diff([]string(nil), before.Changed(after)); diff != "" {
		t.Errorf("changed modules (-want +got):\n%s", diff)
	}
}

// Resources registered from an output's apply come in whatever order their goroutines run:
// the order is no part of a fingerprint.
func TestFingerprintsIgnoreRegistrationOrder(t *testing.T) {
	rec, err := run(t, moduleProgram(map[string]string{"quotes": "1", "claims": "1"}, "s"))
	if err != nil {
		t.Fatal(err)
	}
	reversed := &Recording{Resources: slices.Clone(rec.Resources)}
	slices.Reverse(reversed.Resources)
	if diff := cmp.Diff(rec.Fingerprints(), reversed.Fingerprints()); diff != "" {
		t.Errorf("the order of registration changed the fingerprints (-in order +reversed):\n%s", diff)
	}
}

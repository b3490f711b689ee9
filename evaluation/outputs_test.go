package evaluation_test

import (
	"strings"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
)

// The monitor answers a registration with the computed values only; every other output must
// still resolve to the resource's input of that name, secrets staying secret.
func TestOutputsResolveFromTheInputs(t *testing.T) {
	rec, err := evaluation.Run(func(ctx *pulumi.Context) error {
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
	}, evaluation.Options{Project: "conveyor", Stack: "test"})
	if err != nil {
		t.Fatal(err)
	}
	cm := evaluationtest.Find(rec, "kubernetes:core/v1:ConfigMap", "copy")
	if cm == nil {
		t.Fatal("the ConfigMap was not recorded")
	}
	if got := evaluationtest.String(cm.Inputs, "metadata.namespace"); got != "team-ns" {
		t.Errorf("metadata.namespace = %q, want the Namespace's name", got)
	}
	if got := evaluationtest.String(cm.Inputs, "metadata.labels.a"); got != "b" {
		t.Errorf("metadata.labels.a = %q, want the Namespace's label", got)
	}
	v, ok := evaluationtest.Lookup(cm.Inputs, "data.password")
	if !ok || !v.ContainsSecrets() {
		t.Fatalf("data.password = %v, want the password, as a secret", v)
	}
	if got := evaluationtest.String(cm.Inputs, "data.password"); !strings.HasPrefix(got, "simulated-") {
		t.Errorf("data.password = %q, want the simulated password", got)
	}
}

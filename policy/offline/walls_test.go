package offline_test

import (
	"strings"
	"testing"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/policy/offline"
	"github.com/conveyor-paas/conveyor/stacks"
)

// brokenWalls is the program with the walls between environments and modules taken down the
// way a regression in the components could: the sales space's default deny governs ingress
// only, its allowFrom peer is any environment's claims space, and the quotes setup job leaves
// PUBLIC its CONNECT on the database.
func brokenWalls(ctx *pulumi.Context) error {
	err := ctx.RegisterStackTransformation(func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
		switch props := args.Props.(type) {
		case *networkingv1.NetworkPolicyArgs:
			spec := props.Spec.(*networkingv1.NetworkPolicySpecArgs)
			switch args.Name {
			case ctx.Stack() + "-sales/default-deny":
				spec.PolicyTypes = pulumi.StringArray{pulumi.String("Ingress")}
			case ctx.Stack() + "-sales/allow-from-spaces":
				spec.Ingress = networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
					From: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
						NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"conveyor.io/space": pulumi.String("claims")}},
					}},
				}}
			}
		case *batchv1.JobArgs:
			if args.Name == ctx.Stack()+"-conveyor/quotes-database-setup" {
				pod := props.Spec.(*batchv1.JobSpecArgs).Template.(*corev1.PodTemplateSpecArgs).Spec.(*corev1.PodSpecArgs)
				container := pod.Containers.(corev1.ContainerArray)[0].(corev1.ContainerArgs)
				container.Command = pulumi.ToStringArray([]string{"sh", "-c", strings.Replace(dbsetup.Setup, "REVOKE ALL ON DATABASE", "-- ", 1)})
				pod.Containers.(corev1.ContainerArray)[0] = container
			}
		}
		return &pulumi.ResourceTransformationResult{Props: args.Props, Opts: args.Opts}
	})
	if err != nil {
		return err
	}
	return stacks.Program(ctx)
}

func TestBrokenWallsFail(t *testing.T) {
	report, err := offline.Run(offline.Options{Root: root, Stack: "staging", Program: brokenWalls})
	if err != nil {
		t.Fatal(err)
	}
	requireMandatory(t, report, []finding{
		{"CONV-NS-004", "kubernetes:core/v1:Namespace::staging-sales", "no default-deny egress NetworkPolicy"},
		{"CONV-NET-001", "NetworkPolicy::staging-sales/allow-from-spaces", "selects other environments' namespaces too"},
		{"CONV-SQL-007", "kubernetes:batch/v1:Job::staging-conveyor/quotes-database-setup", "lacks REVOKE ALL ON DATABASE ... FROM PUBLIC"},
	})
}

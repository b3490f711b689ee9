package offline_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/pubsub"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/policy/offline"
	"github.com/conveyor-paas/conveyor/policy/rules"
	"github.com/conveyor-paas/conveyor/stacks"
)

var root, _ = filepath.Abs("../..")

// Every shipped stack, and an ad-hoc one, pass the whole pack with nothing to report.
func TestShippedStacksPass(t *testing.T) {
	shipped, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range append(shipped, "pr-123") {
		t.Run(stack, func(t *testing.T) {
			report, err := offline.Run(offline.Options{Root: root, Stack: stack, Shipped: shipped})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range report.Results {
				t.Errorf("%s %s %s: %s", r.Level, r.RuleID, r.URN, r.Message)
			}
		})
	}
}

// broken is the program with three mistakes the manifests cannot express but a regression in
// the components could make: a namespace that is not named by convention, a privileged
// container, and a subscription on another environment's topic.
func broken(ctx *pulumi.Context) error {
	err := ctx.RegisterStackTransformation(func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
		switch props := args.Props.(type) {
		case *corev1.NamespaceArgs:
			if args.Name == ctx.Stack()+"-sales" {
				props.Metadata.(*metav1.ObjectMetaArgs).Name = pulumi.String("sales")
			}
		case *appsv1.DeploymentArgs:
			if args.Name == "quotes-api" {
				pod := props.Spec.(*appsv1.DeploymentSpecArgs).Template.(*corev1.PodTemplateSpecArgs).Spec.(*corev1.PodSpecArgs)
				container := pod.Containers.(corev1.ContainerArray)[0].(corev1.ContainerArgs)
				container.SecurityContext.(*corev1.SecurityContextArgs).Privileged = pulumi.Bool(true)
				pod.Containers.(corev1.ContainerArray)[0] = container
			}
		case *pubsub.SubscriptionArgs:
			if strings.HasSuffix(args.Name, ".from.sales.quotes.quote-accepted") {
				props.Topic = pulumi.String("dev.sales.quotes.quote-accepted")
			}
		}
		return &pulumi.ResourceTransformationResult{Props: args.Props, Opts: args.Opts}
	})
	if err != nil {
		return err
	}
	return stacks.Program(ctx)
}

func TestBrokenProgramFails(t *testing.T) {
	shipped, err := stacks.ShippedStacks(root)
	if err != nil {
		t.Fatal(err)
	}
	report, err := offline.Run(offline.Options{Root: root, Stack: "staging", Program: broken, Shipped: shipped})
	if err != nil {
		t.Fatal(err)
	}
	if !report.HasMandatoryViolations() {
		t.Fatal("the broken program passes the pack")
	}
	requireMandatory(t, report, []finding{
		{"CONV-NAME-001", "kubernetes:core/v1:Namespace::staging-sales", `namespace "sales" does not follow the naming convention: it should be "staging-sales"`},
		{"CONV-K8S-008", "kubernetes:apps/v1:Deployment::quotes-api", "privileged"},
		{"CONV-NAME-003", "gcp:pubsub/subscription:Subscription::staging.sales.policies.from.sales.quotes.quote-accepted", "dev"},
	})
}

// finding is a result a broken program must get: a rule, the end of the URN of the resource,
// and part of the message.
type finding struct{ rule, urnSuffix, message string }

// requireMandatory fails t unless each finding is in the report, as a mandatory violation.
func requireMandatory(t *testing.T, report rules.Report, want []finding) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, r := range report.Results {
			if r.RuleID == w.rule && strings.HasSuffix(r.URN, w.urnSuffix) && strings.Contains(r.Message, w.message) {
				found = true
				if r.Level != rules.Mandatory || r.Kind != rules.Violation {
					t.Errorf("%s on %s is %s %s, want a mandatory violation", w.rule, w.urnSuffix, r.Level, r.Kind)
				}
			}
		}
		if !found {
			t.Errorf("no %s on …%s containing %q; the report:\n%s", w.rule, w.urnSuffix, w.message, text(report))
		}
	}
}

func text(r rules.Report) string {
	var b strings.Builder
	_ = r.WriteText(&b)
	return b.String()
}

package components

import (
	"fmt"
	"time"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// servicePort is the port every api's Service listens on; it forwards to the container's
// named port, so callers never need to know the container's number.
const servicePort = 80

// appProtocol is what every api serves: Istio reads it to treat the port as HTTP rather than
// guess, so that its HTTP routing, retries and authorization apply.
const appProtocol = "http"

// newAPI builds an api: Deployment, Service, autoscaler (or fixed replicas) and disruption
// budget. It rolls out after the module's jobs (its migrations) have completed.
func newAPI(ctx *pulumi.Context, c *Component, a *ComponentArgs, opts []pulumi.ResourceOption) error {
	name := naming.Workload(a.Module, a.Name)
	pod := a.pod()
	pod.port = a.Spec.Port
	pod.probes = a.Spec.Probes
	pod.spread = true
	deployment, err := newDeployment(ctx, name, a, pod, append(opts, pulumi.DependsOn(a.RunAfter))...)
	if err != nil {
		return err
	}
	scope := a.scope()
	selector := pulumi.ToStringMap(naming.SelectorLabels(a.Module, a.Name))
	service, err := corev1.NewService(ctx, name, &corev1.ServiceArgs{
		Metadata: objectMeta(name, a.Namespace, scope),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: selector,
			Ports: corev1.ServicePortArray{corev1.ServicePortArgs{
				Name:        pulumi.String(portName),
				AppProtocol: pulumi.String(appProtocol),
				Port:        pulumi.Int(servicePort),
				TargetPort:  pulumi.String(portName),
				Protocol:    pulumi.String("TCP"),
			}},
		},
	}, opts...)
	if err != nil {
		return fmt.Errorf("service: %w", err)
	}
	if err := newAutoscaler(ctx, name, a, deployment, opts); err != nil {
		return err
	}
	if err := newDisruptionBudget(ctx, name, name, a.Namespace, scope, opts); err != nil {
		return err
	}
	c.Workload = deployment.Metadata.Name().Elem()
	c.Endpoint = pulumi.All(service.Metadata.Name().Elem(), service.Metadata.Namespace().Elem()).ApplyT(func(v []any) string {
		return naming.ServiceURL(v[0].(string), v[1].(string), servicePort)
	}).(pulumi.StringOutput)
	return nil
}

// newHandler builds a handler: a Deployment that consumes its subscriptions and serves nothing,
// and its autoscaler when it asks for one.
func newHandler(ctx *pulumi.Context, c *Component, a *ComponentArgs, opts []pulumi.ResourceOption) error {
	pod := a.pod()
	pod.spread = true
	name := naming.Workload(a.Module, a.Name)
	deployment, err := newDeployment(ctx, name, a, pod, append(opts, pulumi.DependsOn(a.RunAfter))...)
	if err != nil {
		return err
	}
	if err := newAutoscaler(ctx, name, a, deployment, opts); err != nil {
		return err
	}
	c.Workload = deployment.Metadata.Name().Elem()
	return nil
}

// newAutoscaler scales a Deployment on CPU use when the component asks for it and the
// environment allows it (ad-hoc environments never autoscale). Without it, a Deployment whose
// replica count is left to an autoscaler would run one replica for good.
func newAutoscaler(ctx *pulumi.Context, name string, a *ComponentArgs, deployment *appsv1.Deployment, opts []pulumi.ResourceOption) error {
	_, autoscaling := a.scaling()
	if autoscaling == nil {
		return nil
	}
	_, err := autoscalingv2.NewHorizontalPodAutoscaler(ctx, name, &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: objectMeta(name, a.Namespace, a.scope()),
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"),
				Kind:       pulumi.String("Deployment"),
				Name:       deployment.Metadata.Name().Elem(),
			},
			MinReplicas: pulumi.Int(autoscaling.Min),
			MaxReplicas: pulumi.Int(autoscaling.Max),
			Metrics: autoscalingv2.MetricSpecArray{autoscalingv2.MetricSpecArgs{
				Type: pulumi.String("Resource"),
				Resource: &autoscalingv2.ResourceMetricSourceArgs{
					Name: pulumi.String("cpu"),
					Target: &autoscalingv2.MetricTargetArgs{
						Type:               pulumi.String("Utilization"),
						AverageUtilization: pulumi.Int(autoscaling.CPU),
					},
				},
			}},
		},
	}, opts...)
	if err != nil {
		return fmt.Errorf("autoscaler: %w", err)
	}
	return nil
}

// adHocRolloutDeadline is how long a rollout of an ad-hoc environment's Deployment (local,
// pr-123: one replica, no autoscaler) may take before the update fails. The kubernetes
// provider otherwise waits its default 10 minutes on a Deployment whose new pods never become
// ready, and it never gives up earlier by itself: a crash-looping pod and the controller's
// ProgressDeadlineExceeded are only warnings to it. One pod's rollout takes seconds once its
// image is pulled, so three minutes leave room for a slow pull or a node that scales up, and a
// deploy of an image that crashes fails after three minutes rather than ten (measured on the
// real-engine tier's node, TestCrashingDeployOnANode: 10m7s before, 3m8s after). The same value
// is the Deployment's progressDeadlineSeconds, so that the Deployment itself says it failed
// (ProgressDeadlineExceeded, which `conveyor status` reports) when the update gave up on it.
// Long-lived environments keep the provider's ten minutes: a rollout of many replicas in
// waves of 25%, each waiting for its pods to become ready, may take that long when healthy.
// A crash loop need not wait for either deadline: the command stops an update whose
// Deployment's new pods have crash-looped for a minute (stackops' crashLoopGrace).
const adHocRolloutDeadline = 3 * time.Minute

// rollout is how long a's Deployment may take to roll out, for the provider and the
// Deployment alike; zero leaves both at their defaults (10 minutes each).
func (a *ComponentArgs) rollout() time.Duration {
	if a.Environment.AdHoc {
		return adHocRolloutDeadline
	}
	return 0
}

func newDeployment(ctx *pulumi.Context, name string, a *ComponentArgs, pod podSpec, opts ...pulumi.ResourceOption) (*appsv1.Deployment, error) {
	spec := &appsv1.DeploymentSpecArgs{
		Selector:             &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(naming.SelectorLabels(a.Module, a.Name))},
		Template:             pod.template(),
		RevisionHistoryLimit: pulumi.Int(5),
		Strategy: &appsv1.DeploymentStrategyArgs{
			Type: pulumi.String("RollingUpdate"),
			RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{
				MaxSurge:       pulumi.String("25%"),
				MaxUnavailable: pulumi.Int(0),
			},
		},
	}
	// Under an autoscaler the replica count is left unset, so that an update never resets
	// what the autoscaler decided.
	if replicas, autoscaling := a.scaling(); autoscaling == nil {
		spec.Replicas = pulumi.Int(replicas)
	}
	if deadline := a.rollout(); deadline > 0 {
		spec.ProgressDeadlineSeconds = pulumi.Int(int(deadline.Seconds()))
		// A resource option, not the pulumi.com/timeoutSeconds annotation: the same wait,
		// without an annotation on the object that a change of it would update.
		wait := deadline.String()
		opts = append(opts, pulumi.Timeouts(&pulumi.CustomTimeouts{Create: wait, Update: wait}))
	}
	deployment, err := appsv1.NewDeployment(ctx, name, &appsv1.DeploymentArgs{
		Metadata: objectMeta(name, a.Namespace, a.scope()),
		Spec:     spec,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("deployment: %w", err)
	}
	return deployment, nil
}

// newDisruptionBudget lets voluntary disruptions (node drains, upgrades) take one pod of a
// component at a time. maxUnavailable rather than minAvailable: a budget that allows no
// eviction at all (one replica with minAvailable 1) would block every node drain.
func newDisruptionBudget(ctx *pulumi.Context, logical, name string, ns pulumi.StringInput, scope naming.Scope, opts []pulumi.ResourceOption) error {
	if _, err := policyv1.NewPodDisruptionBudget(ctx, logical, &policyv1.PodDisruptionBudgetArgs{
		Metadata: objectMeta(name, ns, scope),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(1),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(naming.SelectorLabels(scope.Module, scope.Component))},
		},
	}, opts...); err != nil {
		return fmt.Errorf("disruption budget: %w", err)
	}
	return nil
}

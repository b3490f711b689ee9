package components

import (
	"fmt"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// jobPod is the pod of one of the platform's database jobs: its script, as the platform's
// service account, with the proxy to its instance on GKE.
func (p *Platform) jobPod(scope naming.Scope, image, script string, env corev1.EnvVarArrayInput) podSpec {
	account := p.ServiceAccount
	if account == "" {
		account = "default"
	}
	return podSpec{
		scope:          scope,
		image:          image,
		command:        []string{"sh", "-c", script},
		resources:      platformResources,
		env:            env,
		serviceAccount: account,
		restartPolicy:  "Never",
		sqlProxy:       p.SQLProxy,
	}
}

// newPlatformJob runs a shell script once, in the environment's platform namespace, after
// what it needs. It is replaced (and so runs again) whenever its script or environment
// changes.
func newPlatformJob(ctx *pulumi.Context, platform *Platform, name string, scope naming.Scope, image, script string,
	env corev1.EnvVarArray, after []pulumi.Resource, opts ...pulumi.ResourceOption) (*batchv1.Job, error) {
	pod := platform.jobPod(scope, image, script, env)
	job, err := batchv1.NewJob(ctx, platform.Namespace+"/"+name, &batchv1.JobArgs{
		Metadata: objectMeta(name, pulumi.String(platform.Namespace), scope),
		Spec: &batchv1.JobSpecArgs{
			BackoffLimit:          pulumi.Int(batchBackoffLimit),
			ActiveDeadlineSeconds: pulumi.Int(batchDeadlineSeconds),
			Template:              pod.template(),
		},
	}, append(opts, pulumi.DependsOn(after))...)
	if err != nil {
		return nil, fmt.Errorf("platform job %s: %w", name, err)
	}
	return job, nil
}

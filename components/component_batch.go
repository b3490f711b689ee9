package components

import (
	"fmt"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// Limits of batch work: a failing run is retried twice, and no run may hang for more than an
// hour and block the next one.
const (
	batchBackoffLimit     = 2
	batchDeadlineSeconds  = 3600
	cronStartingDeadline  = 300
	cronHistoryToKeep     = 3
	cronConcurrencyPolicy = "Forbid"
)

// newCron builds a CronJob. Runs never overlap (Forbid), a run missed by more than five
// minutes is skipped, and a few finished runs are kept for inspection. A CronJob may fire as
// soon as it exists, so it is created only after what it needs (RunAfter): a run that starts
// before its database Secret exists fails, and one that starts before the migrations have run
// works on the old schema.
func newCron(ctx *pulumi.Context, c *Component, a *ComponentArgs, opts []pulumi.ResourceOption) error {
	name := naming.CronJob(a.Module, a.Name)
	// suspend is set only asleep: awake it is left out, as before sleep existed, so that an
	// environment that never slept sees no change, and a wake drops the field (server-side
	// apply) back to the API server's default, not suspended.
	var suspend pulumi.BoolPtrInput
	if a.Environment.Asleep {
		suspend = pulumi.BoolPtr(true)
	}
	cron, err := batchv1.NewCronJob(ctx, name, &batchv1.CronJobArgs{
		Metadata: objectMeta(name, a.Namespace, a.scope()),
		Spec: &batchv1.CronJobSpecArgs{
			Suspend:                    suspend,
			Schedule:                   pulumi.String(a.Spec.Schedule),
			ConcurrencyPolicy:          pulumi.String(cronConcurrencyPolicy),
			StartingDeadlineSeconds:    pulumi.Int(cronStartingDeadline),
			SuccessfulJobsHistoryLimit: pulumi.Int(cronHistoryToKeep),
			FailedJobsHistoryLimit:     pulumi.Int(cronHistoryToKeep),
			JobTemplate: &batchv1.JobTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(naming.KubernetesLabels(a.scope()))},
				Spec:     jobSpec(a),
			},
		},
	}, append(opts, pulumi.DependsOn(a.RunAfter))...)
	if err != nil {
		return fmt.Errorf("cron job: %w", err)
	}
	c.Workload = cron.Metadata.Name().Elem()
	return nil
}

// newJob builds a Job that runs before the module's api rolls out (migrations, typically).
// The provider waits for the Job to complete, so whatever depends on it starts after it.
func newJob(ctx *pulumi.Context, c *Component, a *ComponentArgs, opts []pulumi.ResourceOption) error {
	name := naming.Workload(a.Module, a.Name)
	job, err := batchv1.NewJob(ctx, name, &batchv1.JobArgs{
		Metadata: objectMeta(name, a.Namespace, a.scope()),
		Spec:     jobSpec(a),
	}, append(opts, pulumi.DependsOn(a.RunAfter))...)
	if err != nil {
		return fmt.Errorf("job: %w", err)
	}
	c.Workload = job.Metadata.Name().Elem()
	c.runnable = job
	return nil
}

func jobSpec(a *ComponentArgs) *batchv1.JobSpecArgs {
	pod := a.pod()
	pod.restartPolicy = "Never"
	return &batchv1.JobSpecArgs{
		BackoffLimit:          pulumi.Int(batchBackoffLimit),
		ActiveDeadlineSeconds: pulumi.Int(batchDeadlineSeconds),
		Template:              pod.template(),
	}
}

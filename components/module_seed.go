package components

import (
	"fmt"
	"slices"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// seedEnv is what the setup of a seeded module's database in an ad-hoc environment (pr-123)
// reads: the masked template the long-lived tier's seeding job keeps on the instance that
// environment shares with the seed's source, and the role that owns the template's contents
// (dbsetup.Setup). Any other environment, and a local one, whose server has no template,
// gets nothing: its database starts empty.
func seedEnv(t *Target, env string, spec *manifest.Module) corev1.EnvVarArray {
	if t.IsLocal() || naming.DatabaseAdminScope(env) != naming.AdHocAdminScope || spec.Database == nil || spec.Database.Seed == nil {
		return nil
	}
	return corev1.EnvVarArray{
		corev1.EnvVarArgs{Name: pulumi.String(dbsetup.EnvTemplate), Value: pulumi.String(naming.SeedTemplate(spec.Name))},
		corev1.EnvVarArgs{Name: pulumi.String(dbsetup.EnvTemplateOwner), Value: pulumi.String(naming.SeedOwner(naming.DatabaseAdminScope(spec.Database.Seed.From)))},
	}
}

// SeedMasks are a seeded module's masks as the seeding job reads them (dbsetup.EnvSeedMasks):
// the one place the manifest's masks become the job's.
func SeedMasks(spec *manifest.Module) (string, error) {
	if spec.Database == nil || spec.Database.Seed == nil {
		return "", fmt.Errorf("module %s has no seed", spec.Name)
	}
	var masks []dbsetup.Mask
	for _, m := range spec.Database.Seed.Mask.List() {
		masks = append(masks, dbsetup.Mask{Kind: m.Kind, Column: m.Column})
	}
	out, err := dbsetup.Masks(masks)
	if err != nil {
		return "", fmt.Errorf("module %s: %w", spec.Name, err)
	}
	return out, nil
}

// seedSchedule is when the seeding runs: at night in Europe, when dev's sessions, which the
// copy ends for about a second per 100 MB, are fewest.
const seedSchedule = "0 2 * * *"

// seeding gives a module that ad-hoc environments seed from this environment (dev) the CronJob
// that keeps its masked template, in the environment's platform namespace, as its admin:
// dbsetup.Seed, nightly. Only main deploys dev, so no pull request runs or changes it.
func (b *moduleBuilder) seeding() error {
	spec, env, t := b.args.Spec, b.args.Environment.Name, b.args.Target
	if t.IsLocal() || spec.Database == nil || spec.Database.Seed == nil || spec.Database.Seed.From != env {
		return nil
	}
	masks, err := SeedMasks(spec)
	if err != nil {
		return err
	}
	scope := naming.Scope{Environment: env, Space: naming.ReservedSpace, Module: spec.Name, Component: naming.DatabaseSeedComponent}
	vars := append(databaseAdminEnv(t, env), seedJobEnv(env, spec.Name, masks)...)
	platform := t.Platform
	pod := platform.jobPod(scope, images.DatabaseClient, dbsetup.Seed, vars)
	name := naming.SetupJob(spec.Name, naming.DatabaseSeedComponent)
	if _, err := batchv1.NewCronJob(b.ctx, platform.Namespace+"/"+name, &batchv1.CronJobArgs{
		Metadata: objectMeta(name, pulumi.String(platform.Namespace), scope),
		Spec: &batchv1.CronJobSpecArgs{
			Schedule:                   pulumi.String(seedSchedule),
			ConcurrencyPolicy:          pulumi.String(cronConcurrencyPolicy),
			StartingDeadlineSeconds:    pulumi.Int(cronStartingDeadline),
			SuccessfulJobsHistoryLimit: pulumi.Int(cronHistoryToKeep),
			FailedJobsHistoryLimit:     pulumi.Int(cronHistoryToKeep),
			JobTemplate: &batchv1.JobTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(naming.KubernetesLabels(scope))},
				Spec: &batchv1.JobSpecArgs{
					BackoffLimit:          pulumi.Int(batchBackoffLimit),
					ActiveDeadlineSeconds: pulumi.Int(batchDeadlineSeconds),
					Template:              pod.template(),
				},
			},
		},
	}, b.k8s(pulumi.DependsOn(append(slices.Clone(b.ready), platform.Ready...)))...); err != nil {
		return fmt.Errorf("database seeding: %w", err)
	}
	return nil
}

// seedJobEnv is what dbsetup.Seed reads of the module and its source environment, besides
// the connection: the names of its databases and roles, and the masks.
func seedJobEnv(env, module, masks string) corev1.EnvVarArray {
	scope := naming.DatabaseAdminScope(env)
	v := func(name, value string) corev1.EnvVarArgs {
		return corev1.EnvVarArgs{Name: pulumi.String(name), Value: pulumi.String(value)}
	}
	return corev1.EnvVarArray{
		v(dbsetup.EnvSeedSource, naming.Database(env, module)),
		v(dbsetup.EnvSeedTemplate, naming.SeedTemplate(module)),
		v(dbsetup.EnvSeedBuild, naming.SeedBuild(module)),
		v(dbsetup.EnvSeedRetired, naming.SeedRetired(module)),
		v(dbsetup.EnvSeedOwner, naming.SeedOwner(scope)),
		v(dbsetup.EnvSeedCopier, naming.DatabaseAdmin(naming.AdHocAdminScope)),
		v(dbsetup.EnvSeedMasks, masks),
	}
}

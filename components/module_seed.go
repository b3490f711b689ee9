package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/dbsetup"
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

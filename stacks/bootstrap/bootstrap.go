package bootstrap

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// Program is the bootstrap stack's program.
func Program(ctx *pulumi.Context) error {
	cfg, err := LoadConfig(ctx)
	if err != nil {
		return err
	}
	outputs, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	for name, v := range outputs {
		ctx.Export(name, v)
	}
	return nil
}

// tier is what the bootstrap makes for one tier.
type tier struct {
	tier     naming.Tier
	project  string
	pool     *iam.WorkloadIdentityPool
	provider *iam.WorkloadIdentityPoolProvider
	deployer *serviceaccount.Account
	bucket   *storage.Bucket
	key      *kms.CryptoKey
}

// New makes every tier's identity, state and key, and their IAM, and returns the outputs the
// workflows read, by variable name (naming.CIVariables).
func New(ctx *pulumi.Context, cfg Config) (map[string]pulumi.StringOutput, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	tiers := map[naming.Tier]*tier{}
	outputs := map[string]pulumi.StringOutput{}
	for _, t := range naming.Tiers() {
		parts, err := newTier(ctx, cfg, t)
		if err != nil {
			return nil, fmt.Errorf("the %s tier: %w", t, err)
		}
		tiers[t] = parts
		outputs[naming.CIVariable(naming.CIWorkloadIdentityProvider, t)] = parts.provider.Name
		outputs[naming.CIVariable(naming.CIServiceAccount, t)] = parts.deployer.Email
		outputs[naming.CIVariable(naming.CIBackend, t)] = pulumi.Sprintf("gs://%s", parts.bucket.Name)
		outputs[naming.CIVariable(naming.CISecretsProvider, t)] = pulumi.Sprintf("gcpkms://%s", parts.key.ID())
	}
	adhoc := tiers[naming.TierAdHoc]
	outputs[naming.CIVariable(naming.CIFactsBackend, naming.TierLongLived)] = pulumi.Sprintf("gs://%s", adhoc.bucket.Name)
	outputs[naming.CIVariable(naming.CIFactsSecretsProvider, naming.TierLongLived)] = pulumi.Sprintf("gcpkms://%s", adhoc.key.ID())
	planner, err := newAccount(ctx, tiers[naming.TierProduction], naming.ProdPlannerAccount, "Conveyor: plans prod and checks it for drift; changes nothing")
	if err != nil {
		return nil, err
	}
	outputs[naming.CIProdPlanner] = planner.Email
	if err := grantAccess(ctx, cfg, tiers, planner); err != nil {
		return nil, err
	}
	return outputs, nil
}

// newTier makes one tier's pool and provider, deploy account, state bucket and key.
func newTier(ctx *pulumi.Context, cfg Config, t naming.Tier) (*tier, error) {
	p := &tier{tier: t, project: cfg.Projects[t]}
	word := naming.TierIdentityPool(t)
	var err error
	p.pool, err = iam.NewWorkloadIdentityPool(ctx, word, &iam.WorkloadIdentityPoolArgs{
		Project:                pulumi.String(p.project),
		WorkloadIdentityPoolId: pulumi.String(word),
		DisplayName:            pulumi.String("GitHub, " + string(t) + " tier"),
	})
	if err != nil {
		return nil, err
	}
	p.provider, err = iam.NewWorkloadIdentityPoolProvider(ctx, word+"-"+naming.TierIdentityProvider, &iam.WorkloadIdentityPoolProviderArgs{
		Project:                        pulumi.String(p.project),
		WorkloadIdentityPoolId:         p.pool.WorkloadIdentityPoolId,
		WorkloadIdentityPoolProviderId: pulumi.String(naming.TierIdentityProvider),
		AttributeMapping:               pulumi.ToStringMap(attributeMapping),
		AttributeCondition:             pulumi.String(AttributeCondition(cfg.Repository, t)),
		Oidc:                           &iam.WorkloadIdentityPoolProviderOidcArgs{IssuerUri: pulumi.String(GitHubIssuer)},
	})
	if err != nil {
		return nil, err
	}
	if p.deployer, err = newAccount(ctx, p, naming.TierDeployAccount(t), "Conveyor: deploys the "+string(t)+" tier"); err != nil {
		return nil, err
	}
	p.bucket, err = storage.NewBucket(ctx, naming.TierStateBucket(p.project, t), &storage.BucketArgs{
		Name:                     pulumi.String(naming.TierStateBucket(p.project, t)),
		Project:                  pulumi.String(p.project),
		Location:                 pulumi.String(cfg.Region),
		UniformBucketLevelAccess: pulumi.Bool(true),
		PublicAccessPrevention:   pulumi.String("enforced"),
		// A state file overwritten by mistake can be brought back.
		Versioning: &storage.BucketVersioningArgs{Enabled: pulumi.Bool(true)},
	}, pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	ring, err := kms.NewKeyRing(ctx, naming.TierKeyRing(t), &kms.KeyRingArgs{
		Name:     pulumi.String(naming.TierKeyRing(t)),
		Project:  pulumi.String(p.project),
		Location: pulumi.String(cfg.Region),
	}, pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	p.key, err = kms.NewCryptoKey(ctx, naming.TierKeyRing(t)+"-"+naming.TierStateKey, &kms.CryptoKeyArgs{
		Name:           pulumi.String(naming.TierStateKey),
		KeyRing:        ring.ID(),
		RotationPeriod: pulumi.String("7776000s"), // 90 days; old versions still decrypt
	}, pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	return p, nil
}

// newAccount makes a service account in p's project, impersonable by workload identity
// from p's own pool only, and only by the GitHub environments the account serves.
func newAccount(ctx *pulumi.Context, p *tier, id, description string) (*serviceaccount.Account, error) {
	account, err := serviceaccount.NewAccount(ctx, id, &serviceaccount.AccountArgs{
		Project:     pulumi.String(p.project),
		AccountId:   pulumi.String(id),
		DisplayName: pulumi.String(description),
	})
	if err != nil {
		return nil, err
	}
	for _, env := range environmentsOf(p.tier, id) {
		_, err := serviceaccount.NewIAMMember(ctx, id+"-from-"+env, &serviceaccount.IAMMemberArgs{
			ServiceAccountId: account.Name,
			Role:             pulumi.String("roles/iam.workloadIdentityUser"),
			Member:           pulumi.Sprintf("principalSet://iam.googleapis.com/%s/attribute.environment/%s", p.pool.Name, env),
		})
		if err != nil {
			return nil, err
		}
	}
	return account, nil
}

// environmentsOf are the GitHub environments whose jobs may act as account id of tier t:
// production's planner in prod-plan, its deployer only in prod (required reviewers).
func environmentsOf(t naming.Tier, id string) []string {
	switch {
	case id == naming.ProdPlannerAccount:
		return []string{naming.GitHubEnvProdPlan}
	case t == naming.TierProduction:
		return []string{naming.GitHubEnvProd}
	}
	return naming.GitHubEnvironments(t)
}

package naming

import "strings"

// Tier is a trust tier: who may touch a stack. Each tier has its own CI identity, state
// backend, secrets key and database admin, and nothing one tier holds opens another's:
//
//	production  prod, cluster-prod               main, after a person approved a saved plan
//	long-lived  dev, staging, other clusters     main only
//	ad-hoc      pr-<n>, local, any other name    pull requests and developers
//
// The bootstrap stack (stacks/bootstrap) makes each tier's identity, backend and key; the
// workflows name them by the variables below.
type Tier string

// The trust tiers.
const (
	TierProduction Tier = "production"
	TierLongLived  Tier = "long-lived"
	TierAdHoc      Tier = "ad-hoc"
)

// Tiers are the trust tiers, most trusted first.
func Tiers() []Tier { return []Tier{TierProduction, TierLongLived, TierAdHoc} }

// TierOf is the trust tier of a stack, told by its name alone. Only the names of production
// and of the long-lived environments and clusters are trusted; every other name, one that
// merely looks like production ("production", "prod-copy") too, is ad-hoc.
func TierOf(stack string) Tier {
	switch kind, _ := ClassifyStack(stack); {
	case ProductionTier(stack) || stack == BootstrapStack:
		return TierProduction
	case kind == StackLongLived || kind == StackCluster:
		return TierLongLived
	}
	return TierAdHoc
}

// The kinds of a tier's CI outputs: what the bootstrap stack exports and a GitHub Actions
// variable of the same name holds (CIVariable).
const (
	CIWorkloadIdentityProvider = "GCP_WORKLOAD_IDENTITY_PROVIDER"
	CIServiceAccount           = "GCP_SERVICE_ACCOUNT"
	CIBackend                  = "PULUMI_BACKEND_URL"
	CISecretsProvider          = "CONVEYOR_SECRETS_PROVIDER"
	// CIFactsBackend and CIFactsSecretsProvider are where the long-lived tier publishes its
	// clusters' facts (ClusterFactsStack): the ad-hoc tier's backend and key, under a name of
	// the long-lived tier's own, since no job of it uses a variable a pull request's job does.
	CIFactsBackend         = "CONVEYOR_FACTS_BACKEND_URL"
	CIFactsSecretsProvider = "CONVEYOR_FACTS_SECRETS_PROVIDER"
)

// CIProdPlanner is the variable of production's read-only planner: the identity that plans
// and checks prod for drift, and can change nothing.
const CIProdPlanner = "GCP_SERVICE_ACCOUNT_PROD_PLANNER"

// ciSuffix is the suffix of a tier's variables.
func ciSuffix(t Tier) string {
	if t == TierProduction {
		return "PROD"
	}
	return strings.ToUpper(strings.ReplaceAll(string(t), "-", ""))
}

// CIVariable names the variable that holds one kind of t's CI outputs:
// "GCP_SERVICE_ACCOUNT_ADHOC", "PULUMI_BACKEND_URL_LONGLIVED", "CONVEYOR_SECRETS_PROVIDER_PROD".
func CIVariable(kind string, t Tier) string { return kind + "_" + ciSuffix(t) }

// CIVar is one of a tier's CI variables.
type CIVar struct {
	// Name is the variable's (and the bootstrap output's) name.
	Name string
	// Kind is one of the CI* kinds.
	Kind string
}

// CIVariables are every variable of t: its workload identity provider, deploy service
// account, backend and secrets key; production's planner too, and the long-lived tier's
// where it publishes the facts.
func CIVariables(t Tier) []CIVar {
	var out []CIVar
	for _, kind := range []string{CIWorkloadIdentityProvider, CIServiceAccount, CIBackend, CISecretsProvider} {
		out = append(out, CIVar{Name: CIVariable(kind, t), Kind: kind})
	}
	if t == TierLongLived {
		for _, kind := range []string{CIFactsBackend, CIFactsSecretsProvider} {
			out = append(out, CIVar{Name: CIVariable(kind, t), Kind: kind})
		}
	}
	if t == TierProduction {
		out = append(out, CIVar{Name: CIProdPlanner, Kind: CIServiceAccount})
	}
	return out
}

// The GitHub environments the workflows' jobs run in, one tier each. GitHub hands a job the
// environment's name in its OIDC token, and the tiers' workload identity providers admit
// only their own: a pull request's job is never in longlived, prod-plan or prod.
const (
	GitHubEnvAdHoc     = "adhoc"
	GitHubEnvLongLived = "longlived"
	// GitHubEnvStaging applies a reviewed plan to staging.
	GitHubEnvStaging = "staging"
	// GitHubEnvProdPlan plans prod and checks it for drift, with the planner's identity.
	GitHubEnvProdPlan = "prod-plan"
	// GitHubEnvProd applies a plan to prod; it has required reviewers.
	GitHubEnvProd = "prod"
)

// GitHubEnvironments are the GitHub environments of t.
func GitHubEnvironments(t Tier) []string {
	switch t {
	case TierProduction:
		return []string{GitHubEnvProdPlan, GitHubEnvProd}
	case TierLongLived:
		return []string{GitHubEnvLongLived, GitHubEnvStaging}
	}
	return []string{GitHubEnvAdHoc}
}

// The names of what the bootstrap stack makes for each tier. The bootstrap stack is run by
// an administrator with the Pulumi CLI (`pulumi up -s bootstrap`), never by conveyor or CI:
// it holds the walls between the tiers, and its own state lives outside all three.
const BootstrapStack = "bootstrap"

// tierWord is a tier's short lowercase word: "prod", "longlived", "adhoc".
func tierWord(t Tier) string { return strings.ToLower(ciSuffix(t)) }

// TierIdentityPool is the id of t's workload identity pool for GitHub's OIDC tokens
// ("github-adhoc"): a pool per tier, so that no principal one tier's provider admits is a
// principal another tier's accounts trust.
func TierIdentityPool(t Tier) string { return "github-" + tierWord(t) }

// TierIdentityProvider is the id of the GitHub provider in each tier's pool.
const TierIdentityProvider = "github"

// TierDeployAccount is the id of t's deploy service account ("conveyor-deploy-adhoc").
func TierDeployAccount(t Tier) string { return "conveyor-deploy-" + tierWord(t) }

// ProdPlannerAccount is the id of production's read-only planner.
const ProdPlannerAccount = "conveyor-plan-prod"

// TierStateBucket names t's state bucket in project: bucket names are global, so the
// project's id makes them the organisation's own ("acme-prod-conveyor-state-prod").
func TierStateBucket(project string, t Tier) string {
	return Fit(project+"-conveyor-state-"+tierWord(t), 63, '-')
}

// TierKeyRing is the id of t's KMS key ring, and TierStateKey its key that encrypts the
// secrets of the tier's stacks.
func TierKeyRing(t Tier) string { return "conveyor-" + tierWord(t) }

// TierStateKey is the id of the key in each tier's key ring.
const TierStateKey = "pulumi-state"

package bootstrap

import (
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/conveyor-paas/conveyor/naming"
)

// Config is the bootstrap stack's configuration (stacks/Pulumi.bootstrap.yaml).
type Config struct {
	// Repository is the GitHub repository whose workflows deploy ("acme/conveyor"): the only
	// one any tier's provider admits.
	Repository string
	// Region holds the state buckets and key rings.
	Region string
	// Projects is the GCP project of each tier's identity, state and key: production's own,
	// the long-lived and ad-hoc tiers' may share the non-production one.
	Projects map[naming.Tier]string
	// AdHocEnvironmentsProject holds the ad-hoc environments' own GCP resources (their
	// service accounts, topics, subscriptions and the IAM on them): a project of no tier's
	// identity, state or key, and of no other environment's resources (adhoc.go says why).
	AdHocEnvironmentsProject string
	// FactsClusters are the long-lived tier's cluster stacks whose facts it publishes into
	// the ad-hoc tier's backend (naming.ClusterFactsStack); cluster-nonprod when empty.
	FactsClusters []string
}

// factsClusters are FactsClusters, or the default.
func (c Config) factsClusters() []string {
	if len(c.FactsClusters) == 0 {
		return []string{naming.NonprodCluster}
	}
	return c.FactsClusters
}

var repository = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// LoadConfig reads the bootstrap stack's configuration.
func LoadConfig(ctx *pulumi.Context) (Config, error) {
	c := config.New(ctx, naming.Project)
	cfg := Config{Repository: c.Get("githubRepository"), Region: c.Get("gcpRegion"), Projects: map[naming.Tier]string{},
		AdHocEnvironmentsProject: c.Get("adHocEnvironmentsProject")}
	var projects map[string]string
	if text := c.Get("tierProjects"); text != "" {
		if err := json.Unmarshal([]byte(text), &projects); err != nil {
			return Config{}, fmt.Errorf("config %s:tierProjects: %w", naming.Project, err)
		}
	}
	for k, v := range projects {
		cfg.Projects[naming.Tier(k)] = v
	}
	if text := c.Get("factsClusters"); text != "" {
		if err := json.Unmarshal([]byte(text), &cfg.FactsClusters); err != nil {
			return Config{}, fmt.Errorf("config %s:factsClusters: %w", naming.Project, err)
		}
	}
	return cfg, cfg.validate()
}

func (c Config) validate() error {
	if !repository.MatchString(c.Repository) {
		return fmt.Errorf("config %s:githubRepository is %q, not owner/name", naming.Project, c.Repository)
	}
	if c.Region == "" {
		return fmt.Errorf("config %s:gcpRegion is not set", naming.Project)
	}
	for _, t := range naming.Tiers() {
		if c.Projects[t] == "" {
			return fmt.Errorf("config %s:tierProjects.%s is not set: the GCP project of the %s tier's identity, state and key", naming.Project, t, t)
		}
	}
	for _, cluster := range c.FactsClusters {
		if naming.TierOf(cluster) != naming.TierLongLived || !naming.IsClusterStack(cluster) {
			return fmt.Errorf("config %s:factsClusters: %s is not a cluster stack of the long-lived tier", naming.Project, cluster)
		}
	}
	if c.Projects[naming.TierProduction] == c.Projects[naming.TierLongLived] || c.Projects[naming.TierProduction] == c.Projects[naming.TierAdHoc] {
		return fmt.Errorf("config %s:tierProjects: production's project %s is another tier's: production needs a project of its own", naming.Project, c.Projects[naming.TierProduction])
	}
	if c.AdHocEnvironmentsProject == "" {
		return fmt.Errorf("config %s:adHocEnvironmentsProject is not set: the GCP project of the ad-hoc environments' service accounts and topics, which holds nothing of another tier", naming.Project)
	}
	for _, t := range naming.Tiers() {
		if c.AdHocEnvironmentsProject == c.Projects[t] {
			return fmt.Errorf("config %s:adHocEnvironmentsProject is %s, the %s tier's project: the ad-hoc environments' project holds nothing else, since their deployer administers its service accounts and IAM", naming.Project, c.AdHocEnvironmentsProject, t)
		}
	}
	return nil
}

package naming

import "fmt"

// The facts below are boundaries rather than names, but they are told from a stack's name
// alone, like its kind: the program, the conveyor command and the policy pack all read them
// here, so that what is enforced and what is checked never drift apart.

// CheckCluster says whether environment env may deploy onto cluster stack cluster: prod runs
// only on cluster-prod, and nothing else does. The error says why, in words that name both.
func CheckCluster(env, cluster string) error {
	switch {
	case env == ProductionStack && cluster != ProdCluster:
		return fmt.Errorf("%s runs only on %s, not on %s", env, ProdCluster, cluster)
	case env != ProductionStack && cluster == ProdCluster:
		return fmt.Errorf("only %s runs on %s; %s deploys onto another cluster (%s unless configured)",
			ProductionStack, ProdCluster, env, NonprodCluster)
	}
	return nil
}

// ProductionTier reports whether a stack holds production's state and credentials: prod, its
// module stacks (prod.<module>) and cluster-prod. Their secrets are encrypted with production's own key, they change only
// through a reviewed plan, and no other tier's identity may read them.
func ProductionTier(stack string) bool {
	return EnvironmentOf(stack) == ProductionStack || stack == ProdCluster
}

// TeamAccess is what a space's team may do in the space's namespaces.
type TeamAccess string

// The team access levels.
const (
	// TeamEdit: run, inspect, debug and change workloads (exec, logs, Secrets, Jobs), but
	// never Services or NetworkPolicies, which the platform owns.
	TeamEdit TeamAccess = "edit"
	// TeamView: read workloads and their logs; no Secrets, no exec, no change.
	TeamView TeamAccess = "view"
)

// TeamAccessOf is what teams may do in an environment told by its name: edit in ad-hoc,
// local and dev environments, only view in staging and prod, which run what is about to run
// or runs for customers. An environment configured as production is view-only too (see
// components.Environment.TeamAccess).
func TeamAccessOf(env string) TeamAccess {
	if env == ProductionStack || env == "staging" {
		return TeamView
	}
	return TeamEdit
}

// TeamRole names the Role of a team's access in each space namespace: "conveyor-team-edit"
// or "conveyor-team-view".
func TeamRole(access TeamAccess) string {
	return Fit("conveyor-team-"+string(access), MaxKubernetesName, '-')
}

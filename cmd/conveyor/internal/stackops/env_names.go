package stackops

import (
	"github.com/conveyor-paas/conveyor/naming"
)

// The kind of a stack is told by its name alone, by the naming package, which the program and
// the policy pack use too: the Runner never keeps a list of its own.

// IsProtected reports whether env is anything but an ad-hoc environment: prod, dev, staging,
// local and local-<name>, and the cluster stacks. `env gc` and `env delete` never touch them
// and they cannot be given a TTL. An invalid name is protected too: nothing is collected by
// mistake.
func IsProtected(env string) bool {
	kind, err := naming.ClassifyStack(env)
	return err != nil || !kind.Collectable()
}

// ValidateEnv checks that env can name a stack: every resource name starts from it.
func ValidateEnv(env string) error {
	_, err := naming.ClassifyStack(env)
	return refused(err)
}

// validateAdhoc checks that env can be an ad-hoc environment.
func validateAdhoc(env string) error {
	if err := ValidateEnv(env); err != nil {
		return err
	}
	if IsProtected(env) {
		return refusef("%s is a long-lived environment or a cluster stack: it is never ad hoc, so it cannot have a TTL or be deleted by conveyor", env)
	}
	return nil
}

// DefaultCluster is the cluster env deploys onto unless its config says otherwise: the rule
// of naming.Stack.Cluster, for a name not parsed yet; "" for a name that is no stack.
func DefaultCluster(env string) string {
	s, _ := naming.ParseStack(env)
	return s.Cluster()
}

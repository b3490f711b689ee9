package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/naming"
)

// The flags every stack command shares.

// requireEnv marks --env required; every stack command names its environment explicitly,
// since acting on the wrong one is the costliest mistake there is.
func requireEnv(cmd *cobra.Command, env *string) {
	cmd.Flags().StringVarP(env, "env", "e", "", "the environment (stack): dev, staging, prod, local, cluster-<name> or an ad-hoc name such as pr-123")
	_ = cmd.MarkFlagRequired("env")
}

// parseStack parses the stack a flag names, once, at the command's edge: what follows asks
// the value for its kind and cluster instead of classifying the name again. A name that
// cannot be a stack is a usage error; it names its flag when that is not --env, which every
// stack command has.
func parseStack(flag, name string) (naming.Stack, error) {
	s, err := naming.ParseStack(name)
	if err != nil {
		if flag != "" {
			err = fmt.Errorf("%s: %w", flag, err)
		}
		return naming.Stack{}, withCode(ExitUsage, err)
	}
	return s, nil
}

package cli

import (
	"github.com/spf13/cobra"
)

// requireEnv marks --env required; every stack command names its environment explicitly,
// since acting on the wrong one is the costliest mistake there is.
func requireEnv(cmd *cobra.Command, env *string) {
	cmd.Flags().StringVarP(env, "env", "e", "", "the environment (stack): dev, staging, prod, local, cluster-<name> or an ad-hoc name such as pr-123")
	_ = cmd.MarkFlagRequired("env")
}

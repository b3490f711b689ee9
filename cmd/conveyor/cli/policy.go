package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/policy/offline"
	"github.com/conveyor-paas/conveyor/policy/rules"
	"github.com/conveyor-paas/conveyor/stacks"
	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

func newPolicy() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Check what an environment would create against the policy pack",
	}
	cmd.AddCommand(newPolicyCheck())
	return cmd
}

func newPolicyCheck() *cobra.Command {
	var env, catalog, configFile, levelsOf string
	var asJSON, asMarkdown bool
	cmd := &cobra.Command{
		Use:   "check --env <stack>",
		Short: "Run every rule of the policy pack offline, with no cloud credentials",
		Long: `Policy check evaluates the program for a stack with Pulumi's mocks (no cloud
credentials, no provider plugins, no backend) and runs every rule of the policy pack
(policy/) over the resources the stack would create: the same rules 'pulumi preview
--policy-pack policy' runs.

Rules are mandatory in dev, staging, prod and cluster stacks and advisory elsewhere;
--config takes the pack's --policy-pack-config JSON to change a rule's level. --levels-of
checks the stack at another stack's levels: a pull request's ad-hoc environment checked at
the levels of dev, where its change is going, fails on what would block dev.

preview, up, deploy and promote run this same check before the engine starts, on the
config the engine holds, and stop on a mandatory violation.

Exits 0 when there is no mandatory violation, 1 when there is one, 4 when the stack cannot
be evaluated (an invalid catalog or configuration).`,
		Example: `  # on a pull request: fail on what would block dev
  conveyor policy check --env pr-123 --levels-of dev --markdown > policy.md

  # a changed catalog against production's rules
  conveyor policy check --env prod --catalog ./catalog

  # for a machine
  conveyor policy check --env staging --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, root, err := offlineRoot(env)
			if err != nil {
				return err
			}
			cfg := rules.Config{}
			if configFile != "" {
				data, err := os.ReadFile(configFile)
				if err != nil {
					return withCode(ExitSetup, fmt.Errorf("reading the policy configuration: %w", err))
				}
				if cfg, err = rules.ParseConfig(data); err != nil {
					return withCode(ExitUsage, fmt.Errorf("%s: %w", configFile, err))
				}
			}
			if levelsOf != "" {
				if err := checkLevelsOf(root, levelsOf); err != nil {
					return err
				}
				cfg.LevelsOf = levelsOf
			}
			report, err := offline.Run(offline.Options{Root: root, Stack: env, Catalog: catalog, Config: cfg})
			if err != nil {
				return withCode(ExitSetup, err)
			}
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				err = report.WriteJSON(out)
			case asMarkdown:
				err = report.WriteMarkdown(out)
			default:
				err = report.WriteText(out)
			}
			if err != nil {
				return err
			}
			if report.HasMandatoryViolations() {
				return withCode(ExitFailed, errSilent)
			}
			return nil
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVar(&catalog, "catalog", "", "check this catalog instead of the stack's configured one")
	cmd.Flags().StringVar(&configFile, "config", "", "rule levels, as the pack's --policy-pack-config JSON")
	cmd.Flags().StringVar(&levelsOf, "levels-of", "", "enforce the rules at the default levels of this stack (dev for a pull request)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&asMarkdown, "markdown", false, "print the report as Markdown for a pull-request comment")
	cmd.MarkFlagsMutuallyExclusive("json", "markdown")
	return cmd
}

// offlineRoot prepares a command that evaluates a stack without the engine: it parses the
// stack, rejecting a name that cannot be one before any work is done, and finds the project.
func offlineRoot(env string) (naming.Stack, string, error) {
	s, err := parseStack("", env)
	if err != nil {
		return naming.Stack{}, "", err
	}
	root, err := repoRoot(os.Getenv)
	if err != nil {
		return naming.Stack{}, "", withCode(ExitSetup, err)
	}
	return s, root, nil
}

// checkLevelsOf refuses a --levels-of without a stack file in stacks/: any valid name is a
// stack, an ad-hoc one when it has no file, whose rules are advisory, so a typo of dev would
// quietly turn a pull request's gate off.
func checkLevelsOf(root, levelsOf string) error {
	if _, err := parseStack("--levels-of", levelsOf); err != nil {
		return err
	}
	if _, err := os.Stat(stacks.StackConfigFile(root, levelsOf)); err == nil {
		return nil
	}
	files, _ := filepath.Glob(stacks.StackConfigFile(root, "*"))
	var shipped []string
	for _, f := range files {
		if stack, ok := stackfile.Stack(f); ok {
			shipped = append(shipped, stack)
		}
	}
	return withCode(ExitUsage, fmt.Errorf("--levels-of %s: there is no stack file %s, so its levels would be an ad-hoc environment's (advisory); name one of %s",
		levelsOf, stackfile.Name(levelsOf), strings.Join(shipped, ", ")))
}

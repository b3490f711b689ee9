package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
)

// secretFlags are the flags the secret commands share.
type secretFlags struct {
	env, module  string
	adHocDefault bool
}

func newSecret(d *deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Set, list and unset the values of a module's secrets in an environment",
		Long: `A module names the secrets it reads in its manifest (secrets: [STRIPE_API_KEY]); each
environment gives each a value with 'conveyor secret set'. A deploy whose module lacks one
stops before anything changes, and says what to run.

Where values live: on GKE, as versions of the environment's Secret Manager secrets
(<env>-<module>-<NAME>), created by 'secret set' and readable by the module's own service
account alone; on a local cluster, in the stack's own config, encrypted with its key and kept
beside its state in the backend, never in a file of the repository. Pods read them as files
under /var/run/secrets/conveyor/<NAME>, and a new value reaches running pods without a
restart.

An ad-hoc environment (pr-123) reads its own values or, where the module sets
adHocSecretDefaults: true, the ad-hoc tier's default ('secret set --ad-hoc-default'); never
dev's, staging's or prod's.

A value is read from standard input or --from-file, never from the command line, where other
users of the machine could see it; no command prints it.`,
		Example: `  conveyor secret set --env dev --module quotes STRIPE_API_KEY < stripe-key.txt
  conveyor secret set --ad-hoc-default --module quotes STRIPE_API_KEY --from-file test-key.txt
  conveyor secret list --env dev
  conveyor secret unset --env pr-123 --module quotes STRIPE_API_KEY`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newSecretSet(d), newSecretList(d), newSecretUnset(d))
	return cmd
}

func (f *secretFlags) register(cmd *cobra.Command, defaults bool) {
	cmd.Flags().StringVarP(&f.env, "env", "e", "", "the environment: dev, staging, prod, local or an ad-hoc name such as pr-123")
	cmd.Flags().StringVarP(&f.module, "module", "m", "", "the module whose secret it is")
	_ = cmd.MarkFlagRequired("module")
	if defaults {
		cmd.Flags().BoolVar(&f.adHocDefault, "ad-hoc-default", false, "the ad-hoc tier's default, read by ad-hoc environments of modules that allow it (instead of --env)")
	}
}

// open starts the Runner and reads the secret the command line names, in the Runner's
// checkout.
func (f *secretFlags) open(cmd *cobra.Command, d *deps, name string) (*stackops.Runner, stackops.SecretTarget, error) {
	r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
	if err != nil {
		return nil, stackops.SecretTarget{}, runnerExit(err)
	}
	t, err := f.target(cmd.Context(), r.WorkDir(), name)
	return r, t, err
}

// target checks the flags against the catalog of the checkout at root: the module exists and
// declares the secret.
func (f *secretFlags) target(ctx context.Context, root, name string) (stackops.SecretTarget, error) {
	switch {
	case f.adHocDefault && f.env != "":
		return stackops.SecretTarget{}, withCode(ExitUsage, fmt.Errorf("give either --env or --ad-hoc-default, not both"))
	case !f.adHocDefault && f.env == "":
		return stackops.SecretTarget{}, withCode(ExitUsage, fmt.Errorf("which environment? give --env (or --ad-hoc-default for the ad-hoc tier's default)"))
	}
	env := f.env
	if f.adHocDefault {
		env = "pr-0" // an ad-hoc environment without a file of its own: the default catalog
	}
	stack, err := parseStack("", env)
	if err != nil {
		return stackops.SecretTarget{}, err
	}
	v, err := envview.Open(ctx, envview.Source{Root: root, Stack: stack})
	if err != nil {
		return stackops.SecretTarget{}, viewExit(err)
	}
	m, err := v.Module(f.module)
	if err != nil {
		return stackops.SecretTarget{}, viewExit(err)
	}
	declared := m.SecretNames()
	found := false
	for _, n := range declared {
		found = found || n == name
	}
	if !found {
		return stackops.SecretTarget{}, withCode(ExitUsage, fmt.Errorf("module %s does not declare a secret %q (%s:%d declares %v); add it to its secrets first",
			f.module, name, m.File(), m.Line("secrets"), declared))
	}
	if f.adHocDefault && !m.AdHocSecretDefaults {
		return stackops.SecretTarget{}, withCode(ExitUsage, fmt.Errorf("module %s does not let ad-hoc environments read defaults; set adHocSecretDefaults: true in %s first", f.module, m.File()))
	}
	return stackops.SecretTarget{Env: f.env, AdHocDefault: f.adHocDefault, Space: m.Space,
		SecretRef: stackops.SecretRef{Module: f.module, Name: name}}, nil
}

func newSecretSet(d *deps) *cobra.Command {
	var f secretFlags
	var fromFile string
	cmd := &cobra.Command{
		Use:   "set (--env <env> | --ad-hoc-default) --module <module> NAME [--from-file FILE]",
		Short: "Give a module's secret a new value, read from standard input or a file",
		Long: `Set makes the value read from standard input (one trailing newline removed) or from
--from-file (byte for byte) the secret's value in the environment: a new Secret Manager version
on GKE, the stack's encrypted config on a local cluster. The next deploy delivers it; pods
already running see the new file without a restart.

Exits 0 when the value is set, 3 when the module does not declare the secret or the value is
empty, 4 when the backend or Secret Manager cannot be reached.`,
		Example: `  conveyor secret set --env dev --module quotes STRIPE_API_KEY < stripe-key.txt
  conveyor secret set --env local --module quotes TLS_KEY --from-file key.pem`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, t, err := f.open(cmd, d, args[0])
			if err != nil {
				return err
			}
			value, err := readValue(cmd.InOrStdin(), fromFile)
			if err != nil {
				return err
			}
			state, err := e.SetSecret(cmd.Context(), t, value)
			if err != nil {
				return runnerExit(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "set %s%s\n", t, versionSuffix(state))
			return nil
		},
	}
	f.register(cmd, true)
	cmd.Flags().StringVar(&fromFile, "from-file", "", "read the value from this file instead of standard input")
	return cmd
}

// readValue reads a secret's value: a file as it is, standard input without its trailing
// newline (what `echo` and a terminal add).
func readValue(stdin io.Reader, file string) ([]byte, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, withCode(ExitUsage, fmt.Errorf("reading the value: %w", err))
		}
		return data, nil
	}
	data, err := io.ReadAll(stdin)
	if err != nil {
		return nil, withCode(ExitFailed, fmt.Errorf("reading the value from standard input: %w", err))
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	return bytes.TrimSuffix(data, []byte("\r")), nil
}

func versionSuffix(s stackops.SecretState) string {
	if s.Version == "" {
		return ""
	}
	return " (version " + s.Version + ")"
}

func newSecretUnset(d *deps) *cobra.Command {
	var f secretFlags
	cmd := &cobra.Command{
		Use:   "unset (--env <env> | --ad-hoc-default) --module <module> NAME",
		Short: "Remove a module's secret's value; deploys stop until it is set again",
		Long: `Unset removes the secret's value from the environment: every Secret Manager version is
destroyed on GKE, the name leaves the stack's encrypted config on a local cluster. Running pods
keep the files they have until they restart; the next deploy stops until the secret is set
again.

Exits 0 when the value is removed, 3 when there was none to remove or the module does not
declare the secret, 4 when the backend or Secret Manager cannot be reached.`,
		Example: `  conveyor secret unset --env pr-123 --module quotes STRIPE_API_KEY`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, t, err := f.open(cmd, d, args[0])
			if err != nil {
				return err
			}
			if err := e.UnsetSecret(cmd.Context(), t); err != nil {
				return runnerExit(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "unset %s\n", t)
			return nil
		},
	}
	f.register(cmd, true)
	return cmd
}

func newSecretList(d *deps) *cobra.Command {
	var env, module string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list --env <env> [--module <module>]",
		Short: "List the secrets an environment's modules read, whether each has a value, and its version",
		Long: `List shows every secret the catalog's modules read in the environment: whether it has a
value, its latest version (GKE; a local cluster keeps no versions, only set or unset), and
where the value comes from (the environment, or the ad-hoc tier's default). Never a value.

Exits 0 when every secret has a value, 1 when one has none, 3 on a bad command line, 4 when
the backend or Secret Manager cannot be reached.`,
		Example: `  conveyor secret list --env dev
  conveyor secret list --env pr-123 --module quotes --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := parseStack("", env); err != nil {
				return err
			}
			r, err := d.runner(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return runnerExit(err)
			}
			required, err := envview.RequiredSecrets(r.WorkDir(), env, module)
			if err != nil {
				return viewExit(err)
			}
			states, err := r.ListSecrets(cmd.Context(), env, required)
			if err != nil {
				return runnerExit(err)
			}
			if err := writeSecretStates(cmd.OutOrStdout(), states, asJSON); err != nil {
				return err
			}
			for _, s := range states {
				if !s.Set {
					return withCode(ExitFailed, &stackops.MissingSecretsError{Env: env, Missing: envview.MissingSecrets(states)})
				}
			}
			return nil
		},
	}
	requireEnv(cmd, &env)
	cmd.Flags().StringVarP(&module, "module", "m", "", "only this module's secrets")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the list as JSON")
	return cmd
}

func writeSecretStates(out io.Writer, states []stackops.SecretState, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if states == nil {
			states = []stackops.SecretState{}
		}
		return enc.Encode(states)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "MODULE\tNAME\tVALUE\tVERSION\tFROM")
	for _, s := range states {
		value, version := "unset", "-"
		if s.Set {
			value = "set"
		}
		if s.Version != "" {
			version = s.Version
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.Module, s.Name, value, version, or(s.Source, "-"))
	}
	return w.Flush()
}

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

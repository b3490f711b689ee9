// Package stackops runs Conveyor's Pulumi program on environments' stacks through the
// Automation API (it is named so as not to be taken for Pulumi's own engine, which the CLI
// it drives runs):
// stack operations with progress and summaries, ad-hoc environments with a TTL, targeted
// deploys of one module, image promotion, and drift checks.
//
// The program is injected (Options.Program), so the same Runner runs the real platform in the
// conveyor command and a small inline program in tests. Every operation goes through the
// Pulumi CLI pinned in tools/pulumi (see package pulumicli) against a backend chosen by the
// machine's environment (see SettingsFromEnv).
package stackops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/client-go/rest"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/imagedigest"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/pulumicli"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/release"
	"github.com/conveyor-paas/conveyor/naming"
)

// Options configure a Runner. Program and WorkDir are required.
type Options struct {
	// Program is the Pulumi program every operation runs (stacks.Program in the command).
	Program pulumi.RunFunc
	// Teardown, when set, runs as an update of an ad-hoc environment right before it is
	// destroyed, for what deleting its resources cannot undo (stacks.TeardownProgram drops
	// its databases and roles). A failed teardown destroys nothing.
	Teardown pulumi.RunFunc
	// TeardownTargets names the URNs of the teardown's own resources in env's stack of
	// project (stacks.TeardownTargets): the teardown update is targeted at them, so that it
	// neither applies nor fails on whatever else the running code declares (a new module, a
	// changed resource) in an environment that is about to be destroyed anyway. Required with
	// Teardown.
	TeardownTargets func(project, env string) []string
	// Project is the Pulumi project name; naming.Project when empty.
	Project string
	// WorkDir holds the project's Pulumi.yaml (the repository root). Stack config files are
	// in its stackConfigDir.
	WorkDir string
	// ProjectSettings, when set, are written to WorkDir/Pulumi.yaml if it has none (tests
	// use a temporary WorkDir). An existing Pulumi.yaml is never overwritten.
	ProjectSettings *workspace.Project

	// Settings are the backend and passphrase; read with SettingsFromEnv(Getenv) when
	// BackendURL is empty.
	Settings Settings
	// Getenv reads the process environment; os.Getenv when nil.
	Getenv func(string) string
	// ExtraEnv is added to every CLI invocation (tests set PULUMI_HOME).
	ExtraEnv map[string]string

	// Pulumi is the CLI to run; found or built with pulumicli.Find(RepoRoot) when nil.
	Pulumi auto.PulumiCommand
	// RepoRoot is where tools/pulumi is; WorkDir when empty.
	RepoRoot string

	// Now is the clock that ages environments; time.Now when nil. Tests move it forward
	// instead of sleeping.
	Now func() time.Time
	// LockRetry says how long an operation waits for another one's stack lock.
	LockRetry RetryPolicy
	// Parallel bounds the environments that operations over several environments (env gc,
	// env list) handle at once; 4 when zero.
	Parallel int
	// Log receives notices: builds of the CLI, waits for locks, config restored from the
	// backend. io.Discard when nil.
	Log io.Writer
	// User names who creates environments, recorded in their metadata; $USER when empty.
	User string
	// Labels, when set, reads an image's OCI labels for the source a deploy records when CI
	// passes none (provenance.go); nil: no registry is asked.
	Labels LabelReader
	// Gate, when set, checks every update and preview (up, preview, deploy, promote) before
	// the engine starts; see Gate.
	Gate Gate
	// Resolver pins the images a deploy or a promotion brings into a long-lived or production
	// environment to the digest their registry serves (pinning.go); nil leaves them as they
	// are asked for (tests whose images are in no registry). The command sets
	// imagedigest.Registry.
	Resolver imagedigest.Resolver
	// Releases is the release record production is promoted from (releases.go); opened from
	// $CONVEYOR_RELEASE_RECORD when nil, else beside a file backend's state.
	Releases release.Store
	// LocalCluster, when set, is the client configuration of the cluster a local environment
	// deploys into, for the sweep of what a killed operation left there (sweep.go).
	LocalCluster func(ctx context.Context, env string) (*rest.Config, error)
	// RequiredSecrets, when set, lists the application secrets env's catalog requires: every
	// update and preview stops before the engine while one has no value (appsecrets.go).
	RequiredSecrets func(env string) ([]RequiredSecret, error)
	// SecretManager reaches the Secret Manager of environments on GKE; without it, their
	// secrets cannot be set or checked.
	SecretManager SecretManager
}

// Runner runs operations on the environments of one project.
type Runner struct {
	opts Options
	// ws runs the CLI for every stack, but production's when wsProd is set (see tiers.go)
	// and the local environments' when wsLocal is (checkpoints.go).
	ws, wsProd, wsLocal auto.Workspace
	configDir           string // absolute directory of the stack config files
	// teardownOpts make a workspace like ws for another program (the teardown's, which each
	// teardown adds), once Pulumi.yaml exists: another workspace must not be given the
	// project to write.
	teardownOpts []auto.LocalWorkspaceOption
}

// New checks the options, finds the Pulumi CLI and prepares the workspace. It starts no
// engine: errors here are setup errors (IsSetup) that say what to fix.
func New(ctx context.Context, opts Options) (*Runner, error) {
	if opts.Program == nil {
		return nil, errors.New("stackops: no program to run")
	}
	if opts.WorkDir == "" {
		return nil, errors.New("stackops: no work directory")
	}
	if opts.Teardown != nil && opts.TeardownTargets == nil {
		return nil, errors.New("stackops: a teardown program without its targets would update the whole environment")
	}
	if opts.Project == "" {
		opts.Project = naming.Project
	}
	if opts.RepoRoot == "" {
		opts.RepoRoot = opts.WorkDir
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.User == "" {
		opts.User = opts.Getenv("USER")
	}
	opts.LockRetry = opts.LockRetry.withDefaults()
	if opts.Settings.BackendURL == "" {
		s, err := SettingsFromEnv(opts.Getenv)
		if err != nil {
			return nil, err
		}
		opts.Settings = s
	}
	if opts.Releases == nil {
		store, err := releasesFromEnv(ctx, opts.Getenv, opts.Settings)
		if err != nil {
			return nil, err
		}
		opts.Releases = store
	}

	wsOpts := []auto.LocalWorkspaceOption{auto.WorkDir(opts.WorkDir), auto.Program(opts.Program)}
	hasProject, err := projectFileExists(opts.WorkDir)
	if err != nil {
		return nil, err
	}
	if !hasProject {
		if opts.ProjectSettings == nil {
			return nil, setupErrorf("no Pulumi.yaml in %s: run conveyor from the repository, which holds the project", opts.WorkDir)
		}
		// auto.Project writes Pulumi.yaml into WorkDir; it is only given when there is none,
		// because it would replace the repository's typed config with these bare settings.
		wsOpts = append(wsOpts, auto.Project(*opts.ProjectSettings))
	}

	if opts.Pulumi == nil {
		cli, err := pulumicli.Find(ctx, pulumicli.Options{RepoRoot: opts.RepoRoot, Getenv: opts.Getenv, Progress: opts.Log})
		if err != nil {
			return nil, &SetupError{Err: fmt.Errorf("the Pulumi CLI: %w", err)}
		}
		if cli.Source == pulumicli.SourcePath || cli.Source == pulumicli.SourceExplicit {
			// Not the pinned CLI: say so, since its behaviour may differ from what CI runs.
			fmt.Fprintf(opts.Log, "conveyor: using the Pulumi CLI v%s from %s (%s)\n", cli.Version, cli.Source, cli.Path)
		}
		opts.Pulumi = cli.Command
	}
	wsOpts = append(wsOpts, auto.Pulumi(opts.Pulumi))

	// The local environments' stacks share the non-production backend, in a workspace of
	// their own that skips the intermediate checkpoints; every other keeps them (checkpoints.go).
	localEnv, otherEnv, notice := checkpointEnvs(opts.Getenv, opts.ExtraEnv)
	if notice != "" {
		fmt.Fprintf(opts.Log, "conveyor: %s\n", notice)
	}
	opts.ExtraEnv = otherEnv
	ws, err := newWorkspace(ctx, wsOpts, opts.Settings, opts.ExtraEnv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.WorkDir, err)
	}
	wsLocal, err := newWorkspace(ctx, wsOpts, opts.Settings, localEnv)
	if err != nil {
		return nil, fmt.Errorf("%s, local environments: %w", opts.WorkDir, err)
	}
	var wsProd auto.Workspace
	if opts.Settings.Prod != nil {
		if err := opts.Settings.Prod.checkSeparate(opts.Settings); err != nil {
			return nil, err
		}
		if wsProd, err = newWorkspace(ctx, wsOpts, *opts.Settings.Prod, opts.ExtraEnv); err != nil {
			return nil, fmt.Errorf("%s, production tier: %w", opts.WorkDir, err)
		}
	}
	proj, err := ws.ProjectSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the project in %s: %w", opts.WorkDir, err)
	}
	if string(proj.Name) != opts.Project {
		return nil, setupErrorf("%s/Pulumi.yaml is project %q, not %q", opts.WorkDir, proj.Name, opts.Project)
	}
	// The CLI reads and writes stack config in stackConfigDir; LocalWorkspace's own
	// StackSettings ignores it, so the Runner only ever goes through the CLI for config and
	// uses this path just to see whether a stack's file exists.
	configDir := filepath.Join(opts.WorkDir, proj.StackConfigDir)
	teardownOpts := []auto.LocalWorkspaceOption{auto.WorkDir(opts.WorkDir), auto.Pulumi(opts.Pulumi)}
	return &Runner{opts: opts, ws: ws, wsProd: wsProd, wsLocal: wsLocal, configDir: configDir, teardownOpts: teardownOpts}, nil
}

func projectFileExists(dir string) (bool, error) {
	for _, name := range []string{"Pulumi.yaml", "Pulumi.yml"} {
		_, err := os.Stat(filepath.Join(dir, name))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return false, fmt.Errorf("looking for the project file: %w", err)
		}
	}
	return false, nil
}

// Workspace is the Automation API workspace the Runner runs in, for callers that need an
// operation the Runner does not offer; with production settings of its own (Settings.Prod),
// it is the non-production tier's, and WorkspaceFor names production's.
func (r *Runner) Workspace() auto.Workspace { return r.ws }

// WorkspaceFor is the workspace of env's tier: production's for prod and cluster-prod when
// they have settings of their own, Workspace otherwise.
func (r *Runner) WorkspaceFor(env string) auto.Workspace { return r.wsFor(env) }

// configFile is the path of env's stack config file.
func (r *Runner) configFile(env string) string {
	return filepath.Join(r.configDir, "Pulumi."+env+".yaml")
}

func (r *Runner) logf(format string, args ...any) {
	fmt.Fprintf(r.opts.Log, "conveyor: "+format+"\n", args...)
}

package stackops

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/client-go/rest"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/imagedigest"
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
	// in stackfile.Dir (stacks/), which its stackConfigDir must name.
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
	// env list) handle at once, and the module stacks of a split environment an operation
	// runs at once (op_split_up.go); 4 when zero.
	Parallel int
	// Log receives notices: builds of the CLI, waits for locks, config restored from the
	// backend. io.Discard when nil.
	Log io.Writer
	// User names who creates environments, recorded in their metadata; $USER when empty.
	User string
	// Labels, when set, reads an image's OCI labels for the source a deploy records when CI
	// passes none (config_provenance.go); nil: no registry is asked.
	Labels LabelReader
	// Gate, when set, checks every update and preview (up, preview, deploy, promote) before
	// the engine starts; see Gate.
	Gate Gate
	// Resolver pins the images a deploy or a promotion brings into a long-lived or production
	// environment to the digest their registry serves (config_pinning.go); nil leaves them as they
	// are asked for (tests whose images are in no registry). The command sets
	// imagedigest.Registry.
	Resolver imagedigest.Resolver
	// Releases is the release record production is promoted from (state_releases.go); opened from
	// $CONVEYOR_RELEASE_RECORD when nil, else beside a file backend's state.
	Releases release.Store
	// LocalCluster, when set, is the client configuration of the cluster a local environment
	// deploys into, for the sweep of what a killed operation left there (recover_sweep.go).
	LocalCluster func(ctx context.Context, env string) (*rest.Config, error)
	// RequiredSecrets, when set, lists the application secrets env's catalog requires: every
	// update and preview stops before the engine while one has no value (config_secrets.go).
	RequiredSecrets func(env string) ([]RequiredSecret, error)
	// SecretManager reaches the Secret Manager of environments on GKE; without it, their
	// secrets cannot be set or checked.
	SecretManager SecretManager
}

// check refuses options a Runner cannot work with: these are the caller's mistakes, not the
// machine's.
func (o Options) check() error {
	if o.Program == nil {
		return errors.New("stackops: no program to run")
	}
	if o.WorkDir == "" {
		return errors.New("stackops: no work directory")
	}
	if o.Teardown != nil && o.TeardownTargets == nil {
		return errors.New("stackops: a teardown program without its targets would update the whole environment")
	}
	return nil
}

// withDefaults fills in what o leaves empty: the documented defaults, then the backend settings
// and the release record read from the environment, which may fail as setup errors.
func (o Options) withDefaults(ctx context.Context) (Options, error) {
	if o.Project == "" {
		o.Project = naming.Project
	}
	if o.RepoRoot == "" {
		o.RepoRoot = o.WorkDir
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.User == "" {
		o.User = o.Getenv("USER")
	}
	o.LockRetry = o.LockRetry.withDefaults()
	if o.Settings.BackendURL == "" {
		s, err := SettingsFromEnv(o.Getenv)
		if err != nil {
			return o, err
		}
		o.Settings = s
	}
	if o.Releases == nil {
		store, err := releasesFromEnv(ctx, o.Getenv, o.Settings)
		if err != nil {
			return o, err
		}
		o.Releases = store
	}
	return o, nil
}

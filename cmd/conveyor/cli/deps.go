package cli

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/imagedigest"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/secretmanager"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks"
)

// deps are what the stack commands need from the outside world. Execute uses the real ones;
// tests swap in a Runner on a temporary backend and a fake clock.
type deps struct {
	// options returns the Runner's options; the command adds its log.
	options func() (stackops.Options, error)
	// now is the clock that ages environments.
	now func() time.Time
	// terminal reports whether w is a terminal, where progress redraws one status line.
	terminal func(w io.Writer) bool
	// localCluster checks that a local environment's cluster answers; nil skips the check.
	localCluster func(ctx context.Context, root, env string) error
	// gate makes the check every preview and update passes before the engine starts, for the
	// project in root, with notices on log; nil runs none.
	gate func(root string, log io.Writer) stackops.Gate
	// cluster is a client of env's cluster for sleep and wake; nil reaches it as the
	// environment views do (reachSleepCluster).
	cluster func(ctx context.Context, env string) (kubernetes.Interface, error)
}

func defaultDeps() *deps {
	return &deps{
		options: func() (stackops.Options, error) {
			root, err := repoRoot(os.Getenv)
			if err != nil {
				return stackops.Options{}, err
			}
			return stackops.Options{Program: program, Teardown: teardown, TeardownTargets: stacks.TeardownTargets, WorkDir: root, User: ciActor(), Resolver: imagedigest.Registry{}}, nil
		},
		now:          time.Now,
		terminal:     isTerminal,
		localCluster: checkLocalCluster,
		gate:         policyGate,
	}
}

// runnerFor starts the Runner for an operation on env. A local environment's cluster is
// checked first, so that a missing kubeconfig or a stopped cluster is one clear sentence
// before anything starts, not a provider failure minutes into an update.
func (d *deps) runnerFor(ctx context.Context, log io.Writer, env string) (*stackops.Runner, error) {
	if kind, err := naming.ClassifyStack(env); err == nil && kind == naming.StackLocal && d.localCluster != nil {
		opts, err := d.options()
		if err != nil {
			return nil, err
		}
		if err := d.localCluster(ctx, opts.WorkDir, env); err != nil {
			return nil, &stackops.SetupError{Err: err}
		}
	}
	return d.runner(ctx, log)
}

// checkLocalCluster makes sure the kubeconfig context a local stack deploys into is a local
// cluster (or the one the stack allows knowingly), and that it answers.
func checkLocalCluster(ctx context.Context, root, env string) error {
	config, err := stacks.ReadStackConfig(root, env)
	if err != nil {
		return err
	}
	_, err = envview.Probe(ctx, envview.TargetOf(config))
	return err
}

// localClusterConfig is the client configuration of the kubeconfig context a local stack of
// the repository at root deploys into (envview.ContextSetting, else the current one). The
// sweep deletes with it, so it refuses a context that is not local, checked again each time.
func localClusterConfig(root string) func(ctx context.Context, env string) (*rest.Config, error) {
	return func(_ context.Context, env string) (*rest.Config, error) {
		config, err := stacks.ReadStackConfig(root, env)
		if err != nil {
			return nil, err
		}
		rc, _, err := envview.LocalConfig(envview.TargetOf(config))
		return rc, err
	}
}

// runner starts a Runner whose notices (a build of the Pulumi CLI, lock waits, config
// restored from the backend) go to log.
func (d *deps) runner(ctx context.Context, log io.Writer) (*stackops.Runner, error) {
	opts, err := d.options()
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = d.now
	}
	opts.Log = log
	if d.gate != nil && opts.Gate == nil {
		opts.Gate = d.gate(opts.WorkDir, log)
	}
	if opts.LocalCluster == nil {
		opts.LocalCluster = localClusterConfig(opts.WorkDir)
	}
	if opts.RequiredSecrets == nil {
		root := opts.WorkDir
		opts.RequiredSecrets = func(env string) ([]stackops.RequiredSecret, error) {
			required, err := envview.RequiredSecrets(root, env, "")
			if errors.Is(err, fs.ErrNotExist) {
				// No catalog where the stack names one: no secret to ask for before the
				// engine, whose program says that the catalog is missing.
				return nil, nil
			}
			return required, err
		}
	}
	if opts.SecretManager == nil {
		opts.SecretManager = &secretmanager.Client{URL: secretmanager.URL, Connect: googleClient}
	}
	return stackops.New(ctx, opts)
}

// ciActor names who runs the command in CI, where $USER is a runner account.
func ciActor() string {
	if actor := os.Getenv("GITHUB_ACTOR"); actor != "" {
		return actor
	}
	return os.Getenv("USER")
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

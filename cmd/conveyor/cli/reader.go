package cli

import (
	"context"
	"errors"
	"net/http"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2/google"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/envview"
)

// reader is how the read verbs (status, logs, explain) see an environment: through the
// project at root, with the Runner as its backend, opened only when a read needs it, its
// notices, and the reader's, on cmd's standard error. A local environment's cluster is
// checked before the backend is opened, as `up` checks it (runnerFor).
func (d *deps) reader(cmd *cobra.Command, root string) *envview.Reader {
	opts := envview.Options{
		Root:    root,
		Backend: d.runner,
		Google:  googleClient,
		Now:     d.now,
		Log:     cmd.ErrOrStderr(),
	}
	if d.localCluster != nil {
		opts.CheckLocal = func(ctx context.Context, env string) error { return d.localCluster(ctx, root, env) }
	}
	return envview.New(opts)
}

// workDir is the project the stack commands work in, as the Runner's options name it.
func (d *deps) workDir() (string, error) {
	opts, err := d.options()
	if err != nil {
		return "", runnerExit(err)
	}
	return opts.WorkDir, nil
}

// googleClient calls Google's APIs with application default credentials; without them,
// every call fails saying how to get them.
func googleClient(ctx context.Context) *http.Client {
	client, err := google.DefaultClient(ctx, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		return &http.Client{Transport: failing{errors.New("no Google application default credentials (run `gcloud auth application-default login`)")}}
	}
	return client
}

// failing is a transport that fails every request with err.
type failing struct{ err error }

func (f failing) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

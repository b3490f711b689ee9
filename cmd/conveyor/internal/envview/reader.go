package envview

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/naming"
)

// Options are what a Reader reads environments with. Only Root is required.
type Options struct {
	// Root is the project's folder: its stacks/ and the catalogs they name.
	Root string
	// Backend opens the environments' backend, a Runner whose notices go to log. A read asks
	// for it only when it needs what the backend holds; nil reads offline.
	Backend func(ctx context.Context, log io.Writer) (*stackops.Runner, error)
	// CheckLocal checks that a local environment's cluster answers, before the backend is
	// opened: without a cluster, no passphrase or Pulumi CLI is worth asking for. nil skips it.
	CheckLocal func(ctx context.Context, env string) error
	// Google is an HTTP client of Google's APIs (status asks Cloud SQL and Pub/Sub whether
	// what a module needs exists); nil asks them without credentials.
	Google func(ctx context.Context) *http.Client
	// Now is the clock that stamps what is read from a cluster; nil is time.Now.
	Now func() time.Time
	// Log receives notices: the backend's, what a watch waits for, what render assumes.
	Log io.Writer
}

// Reader reads environments for the read verbs. Each operation is one verb's work, and
// returns what it prints:
//
//	Status   what runs in an environment's cluster against what its next update runs
//	Logs     the logs of a module's pods, merged, each line tagged with its pod
//	Explain  a module's resolved configuration, and where each value was set
//	Render   every Kubernetes object an environment's next update applies
//
// Open is the chain under them all, for a verb that needs a part of it (comment, secret).
type Reader struct {
	opts Options
}

// New makes a Reader.
func New(opts Options) *Reader {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	return &Reader{opts: opts}
}

// backend opens the backend, or says why it cannot be.
func (r *Reader) backend(ctx context.Context, log io.Writer) (*stackops.Runner, error) {
	if r.opts.Backend == nil {
		return nil, &SetupError{Err: errNoBackend}
	}
	return r.opts.Backend(ctx, log)
}

// online opens env with its backend, a local environment's cluster checked first.
func (r *Reader) online(ctx context.Context, env naming.Stack) (*View, error) {
	if env.Kind() == naming.StackLocal && r.opts.CheckLocal != nil {
		if err := r.opts.CheckLocal(ctx, env.Name()); err != nil {
			return nil, setup(err)
		}
	}
	b, err := r.backend(ctx, r.opts.Log)
	if err != nil {
		return nil, err
	}
	return Open(ctx, Source{Root: r.opts.Root, Stack: env, Backend: b})
}

package envview

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

// Render is every Kubernetes object env's program creates, evaluated offline from the stack
// file (no backend), with catalog, when set, in place of the one the file names. A cluster
// stack renders none, and a stack without a file is an ad-hoc environment: both are said on
// the log.
func (r *Reader) Render(ctx context.Context, env naming.Stack, catalog string) ([]kube.Object, error) {
	if env.Kind() == naming.StackCluster {
		fmt.Fprintf(r.opts.Log, "conveyor: %s is a cluster stack: it builds a GKE cluster, its network and its Cloud SQL instance, and renders no Kubernetes objects; render an environment that runs on it (dev, staging, pr-123)\n", env)
		return nil, nil
	}
	if _, err := os.Stat(stackfile.Path(r.opts.Root, env.Name())); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(r.opts.Log, "conveyor: there is no stack file %s: %s is rendered as an ad-hoc environment, with the defaults of Pulumi.yaml\n",
			stackfile.Name(env.Name()), env)
	}
	v, err := Open(ctx, Source{Root: r.opts.Root, Stack: env, Catalog: catalog})
	if err != nil {
		return nil, err
	}
	return v.Objects(ctx)
}

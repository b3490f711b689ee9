package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/internal/toolbuild"
)

// Conveyor's workloads name their images by tag and pull them at every start
// (imagePullPolicy Always, CONV-IMG-003), so importing an image into containerd is not enough
// for them: the kubelet asks a registry. The node runs one of its own, go-containerregistry's
// in-memory registry served by the test binary on the node's loopback, and containerd's CRI
// takes it as the mirror of every registry Conveyor's images come from. Nothing leaves the
// node; an image the registry lacks fails to pull, as it would on a cluster.

// registryPort is where the node's registry listens, on the node's loopback.
const registryPort = 5000

// mirroredRegistries are the registries whose images the node's registry serves.
var mirroredRegistries = []string{"docker.io", "gcr.io", "ghcr.io", "registry.k8s.io", "conveyor.test"}

type nodeRegistry struct {
	server  *http.Server
	sandbox *nodeSandbox
	done    chan struct{}
}

// startNodeRegistry serves an empty registry inside the node.
func startNodeRegistry(s *nodeSandbox) (*nodeRegistry, error) {
	l, err := s.listen("tcp", "127.0.0.1:"+strconv.Itoa(registryPort))
	if err != nil {
		return nil, fmt.Errorf("listening for the node's registry: %w", err)
	}
	r := &nodeRegistry{
		server: &http.Server{
			Handler:           registry.New(registry.Logger(log.New(io.Discard, "", 0))),
			ReadHeaderTimeout: 30 * time.Second,
		},
		sandbox: s,
		done:    make(chan struct{}),
	}
	go func() {
		defer close(r.done)
		_ = r.server.Serve(l) // ends with close
	}()
	return r, nil
}

// push serves img under ref (a name as a pod spec has it, "postgres:16.6-alpine").
func (r *nodeRegistry) push(ctx context.Context, img v1.Image, ref string) error {
	parsed, err := name.NewTag(ref)
	if err != nil {
		return fmt.Errorf("image name %s: %w", ref, err)
	}
	local, err := name.NewTag(fmt.Sprintf("127.0.0.1:%d/%s:%s", registryPort, parsed.RepositoryStr(), parsed.TagStr()), name.Insecure)
	if err != nil {
		return fmt.Errorf("image name %s in the node's registry: %w", ref, err)
	}
	transport := &http.Transport{DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
		return r.sandbox.dial(ctx, network, address)
	}}
	defer transport.CloseIdleConnections()
	if err := remote.Write(local, img, remote.WithContext(ctx), remote.WithTransport(transport)); err != nil {
		return fmt.Errorf("pushing %s to the node's registry: %w", ref, err)
	}
	return nil
}

// containerdName is a repository's name as containerd and the CRI write it: Docker Hub is
// docker.io, where go-containerregistry says index.docker.io.
func containerdName(repo name.Repository) string {
	registry := repo.RegistryStr()
	if registry == name.DefaultRegistry {
		registry = "docker.io"
	}
	return registry + "/" + repo.RepositoryStr()
}

func (r *nodeRegistry) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.server.Shutdown(ctx); err != nil {
		_ = r.server.Close()
	}
	<-r.done
}

// serveImages pushes the node's own images (images.go), then every stand-in image
// (standins.go), to the node's registry. The
// database jobs name the PostgreSQL image by a digest that only the real image has, and
// pull it only if the node lacks it (IfNotPresent): the stand-in is imported into
// containerd and named by that digest too, so that the kubelet finds it without a pull.
func (n *node) serveImages(ctx context.Context, own map[string]string, archives []string) error {
	for _, ref := range sortedKeys(own) {
		tag, err := name.NewTag(ref)
		if err != nil {
			return fmt.Errorf("image name %s: %w", ref, err)
		}
		img, err := tarball.ImageFromPath(own[ref], &tag)
		if err != nil {
			return fmt.Errorf("reading image %s: %w", own[ref], err)
		}
		if err := n.registry.push(ctx, img, ref); err != nil {
			return err
		}
	}
	for i, s := range standIns() {
		for _, ref := range s.refs {
			tag, err := name.NewTag(ref)
			if err != nil {
				return fmt.Errorf("image name %s: %w", ref, err)
			}
			img, err := tarball.ImageFromPath(archives[i], &tag)
			if err != nil {
				return fmt.Errorf("reading stand-in image %s: %w", archives[i], err)
			}
			if err := n.registry.push(ctx, img, ref); err != nil {
				return err
			}
		}
	}
	pinned, err := name.NewDigest(images.DatabaseClient)
	if err != nil {
		return fmt.Errorf("the database jobs' image %s: %w", images.DatabaseClient, err)
	}
	tagged, err := name.NewTag(images.LocalPostgres)
	if err != nil {
		return fmt.Errorf("the local PostgreSQL's image %s: %w", images.LocalPostgres, err)
	}
	archive := ""
	for i, s := range standIns() {
		if s.refs[0] == images.LocalPostgres {
			archive = archives[i]
		}
	}
	if archive == "" {
		return errors.New("no stand-in for " + images.LocalPostgres)
	}
	// containerd's names are normalised ("docker.io/library/postgres@sha256:…"), as the CRI
	// looks them up.
	for _, args := range [][]string{
		{"images", "import", archive},
		{"images", "tag", "--force", containerdName(tagged.Context()) + ":" + tagged.TagStr(), containerdName(pinned.Context()) + "@" + pinned.DigestStr()},
	} {
		cmd := exec.CommandContext(ctx, "ctr", append([]string{"--address", n.paths.containerdSocket(), "--namespace", "k8s.io"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("ctr %v: %w\n%s", args, err, toolbuild.Tail(out, 4096))
		}
	}
	return nil
}

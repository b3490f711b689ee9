package harness

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/conveyor-paas/conveyor/internal/toolbuild"
)

// The node's images are built here, never pulled (no registry is reachable): each is one
// static Go binary of this repository in an otherwise empty image, written as an image
// archive and imported into the node's containerd.
const (
	// PauseImage is the name of the stand-in pause image (tests/harness/cmd/pause): the
	// sandbox image containerd 1.6 asks for by default.
	PauseImage = "registry.k8s.io/pause:3.6"
	// TestServiceImage is the project's test service (tests/harness/cmd/testservice).
	TestServiceImage = "conveyor.test/testservice:v1"
	// TestServiceImageV2 is a later release of it: the same program, which says v2 at
	// /version and in its logs, for a test that rolls a new image out.
	TestServiceImageV2 = "conveyor.test/testservice:v2"
	// CrashingImage is a release of the test service that exits 3 as soon as it starts
	// (TESTSERVICE_CRASH): the image of a deploy that crashes.
	CrashingImage = "conveyor.test/testservice:crashing"
)

// nodeImage is an image made of one static binary: a main package of this repository, or a
// binary the harness has built already.
type nodeImage struct {
	pkg  string   // the main package, relative to the repository
	file string   // or the binary
	refs []string // the names it is imported under
	env  []string // the image's environment, which tells the program how to behave
}

var nodeImages = []nodeImage{
	{pkg: "./tests/harness/cmd/pause", refs: []string{PauseImage}},
	{pkg: "./tests/harness/cmd/testservice", refs: []string{TestServiceImage}},
	{pkg: "./tests/harness/cmd/testservice", refs: []string{TestServiceImageV2}, env: []string{"TESTSERVICE_VERSION=v2"}},
	{pkg: "./tests/harness/cmd/testservice", refs: []string{CrashingImage}, env: []string{"TESTSERVICE_VERSION=crashing", "TESTSERVICE_CRASH=the image is built to"}},
}

// importImages builds images (the node's own, and extra) into dir and imports them into the
// containerd that listens on socket, in the namespace the CRI uses. It returns the archive of
// each image name.
func importImages(ctx context.Context, dir, socket string, extra []nodeImage, logf Logf) (map[string]string, error) {
	start := time.Now()
	archives := map[string]string{}
	for _, img := range append(slices.Clone(nodeImages), extra...) {
		archive, err := buildImageArchive(ctx, dir, img)
		if err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, "ctr", "--address", socket, "--namespace", "k8s.io", "images", "import", archive)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("importing %s into the node's containerd: %w\n%s", archive, err, toolbuild.Tail(out, 4096))
		}
		for _, ref := range img.refs {
			archives[ref] = archive
		}
	}
	logf("harness: built and imported the node's images in %s", time.Since(start).Round(100*time.Millisecond))
	return archives, nil
}

// buildImageArchive builds img's binary statically, once per dir (the test service's
// releases share it), and writes an image archive of it to dir, whose single layer holds the
// binary at /<name>, its entrypoint.
func buildImageArchive(ctx context.Context, dir string, img nodeImage) (string, error) {
	bin := img.file
	if bin == "" {
		bin = filepath.Join(dir, filepath.Base(img.pkg))
		if _, err := os.Stat(bin); err != nil {
			if err := buildRootPackage(ctx, img.pkg, bin, "CGO_ENABLED=0"); err != nil {
				return "", err
			}
		}
	}
	binName := filepath.Base(img.refs[0])
	binName, _, _ = strings.Cut(binName, ":")
	layer, err := binaryLayer(bin, binName)
	if err != nil {
		return "", err
	}
	image, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return "", fmt.Errorf("image %s: %w", img.refs[0], err)
	}
	cfg, err := image.ConfigFile()
	if err != nil {
		return "", fmt.Errorf("image %s: %w", img.refs[0], err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = runtime.GOOS, runtime.GOARCH
	cfg.Config.Entrypoint = []string{"/" + binName}
	cfg.Config.Env = img.env
	if image, err = mutate.ConfigFile(image, cfg); err != nil {
		return "", fmt.Errorf("image %s: %w", img.refs[0], err)
	}
	tags := map[name.Tag]v1.Image{}
	for _, ref := range img.refs {
		tag, err := name.NewTag(ref)
		if err != nil {
			return "", fmt.Errorf("image name %s: %w", ref, err)
		}
		tags[tag] = image
	}
	archive := filepath.Join(dir, strings.NewReplacer("/", "_", ":", "_").Replace(img.refs[0])+".tar")
	if err := tarball.MultiWriteToFile(archive, tags); err != nil {
		return "", fmt.Errorf("writing image archive %s: %w", archive, err)
	}
	return archive, nil
}

// binaryLayer is a layer with the file at path as /<name>, executable.
func binaryLayer(path, name string) (v1.Layer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
		return nil, fmt.Errorf("writing layer of %s: %w", name, err)
	}
	if _, err := tw.Write(data); err != nil {
		return nil, fmt.Errorf("writing layer of %s: %w", name, err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("writing layer of %s: %w", name, err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	})
	if err != nil {
		return nil, fmt.Errorf("layer of %s: %w", name, err)
	}
	return layer, nil
}

package harness

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/conveyor-paas/conveyor/internal/toolbuild"
)

// A stand-in image is built once into the tool cache (images/<name>-<key>.tar, an image
// archive), under a lock, like the tools: the JRE alone is some 200 MB to copy and compress.
// The key covers the recipe and every file the trees copy (path, size, time); the libraries
// ldd adds come from the machine's packages, so the key covers dpkg's record of them too.

// dpkgStatus changes whenever a package is installed, upgraded or removed.
const dpkgStatus = "/var/lib/dpkg/status"

// EnsureStandInImages builds the stand-in images that are not cached yet and returns their
// archives, in the order of standIns. The prebuild calls it; the node calls it at start.
func EnsureStandInImages(ctx context.Context, logf Logf) ([]string, error) {
	logf = logf.orDefault()
	cache, err := CacheDir()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cache, "images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the image cache %s: %w", dir, err)
	}
	var archives []string
	for _, s := range standIns() {
		archive, err := s.ensure(ctx, dir, logf)
		if err != nil {
			return nil, fmt.Errorf("stand-in image %s: %w", s.name, err)
		}
		archives = append(archives, archive)
	}
	return archives, nil
}

func (s standIn) ensure(ctx context.Context, dir string, logf Logf) (string, error) {
	fs, err := s.rootfs()
	if err != nil {
		return "", err
	}
	key, err := s.key(fs)
	if err != nil {
		return "", err
	}
	archive := filepath.Join(dir, s.name+"-"+key+".tar")
	if _, err := os.Stat(archive); err == nil {
		return archive, nil
	}
	unlock, err := toolbuild.Lock(ctx, filepath.Join(dir, ".build-"+s.name+".lock"), func() {
		logf("harness: waiting for another process that is building the stand-in image %s", s.name)
	})
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(archive); err == nil {
		return archive, nil
	}
	start := time.Now()
	logf("harness: building the stand-in image %s (not cached yet)", s.name)
	if err := s.build(ctx, fs, archive); err != nil {
		return "", err
	}
	logf("harness: built the stand-in image %s in %s", s.name, time.Since(start).Round(100*time.Millisecond))
	return archive, nil
}

func (s standIn) key(fs rootfs) (string, error) {
	entries, err := fs.stamp()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %q %q %s/%s\n", s.refs, s.entrypoint, s.env, s.user, runtime.GOOS, runtime.GOARCH)
	for _, e := range entries {
		fmt.Fprintf(h, "%s %s %q %q %v %o %d %d\n", e.name, e.host, e.data, e.link, e.dir, e.mode, e.size, e.mtimeS)
	}
	if info, err := os.Stat(dpkgStatus); err == nil {
		fmt.Fprintf(h, "dpkg %d %d\n", info.Size(), info.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// build writes the layer compressed to a temporary file once (go-containerregistry reads a
// layer several times: compressing it each time would triple the cost), then the archive.
func (s standIn) build(ctx context.Context, fs rootfs, archive string) error {
	entries, err := fs.entries(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(archive), "."+s.name+"-layer-*.tar.gz")
	if err != nil {
		return fmt.Errorf("creating the layer's file: %w", err)
	}
	defer os.Remove(tmp.Name())
	buf := bufio.NewWriterSize(tmp, 1<<20)
	zw, err := gzip.NewWriterLevel(buf, gzip.BestSpeed)
	if err != nil {
		return err
	}
	err = writeRootfsTar(zw, entries)
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = buf.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the layer of %s: %w", s.name, err)
	}
	layer, err := tarball.LayerFromFile(tmp.Name())
	if err != nil {
		return fmt.Errorf("reading the layer of %s: %w", s.name, err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return fmt.Errorf("image %s: %w", s.name, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("image %s: %w", s.name, err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = runtime.GOOS, runtime.GOARCH
	cfg.Config.Entrypoint = s.entrypoint
	cfg.Config.Env = s.env
	cfg.Config.User = s.user
	cfg.Config.Labels = map[string]string{"org.opencontainers.image.description": "stand-in built by tests/harness (standins.go), not the image its name says"}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return fmt.Errorf("image %s: %w", s.name, err)
	}
	tags := map[name.Tag]v1.Image{}
	for _, ref := range s.refs {
		tag, err := name.NewTag(ref)
		if err != nil {
			return fmt.Errorf("image name %s: %w", ref, err)
		}
		tags[tag] = img
	}
	part := archive + ".part"
	if err := tarball.MultiWriteToFile(part, tags); err != nil {
		_ = os.Remove(part)
		return fmt.Errorf("writing image archive %s: %w", archive, err)
	}
	if err := os.Rename(part, archive); err != nil {
		return fmt.Errorf("writing image archive %s: %w", archive, err)
	}
	return nil
}

package harness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The kubelet runs without QoS cgroups (cgroupsPerQOS: false), so it names no cgroup parent,
// and containerd puts each container in the cgroup /k8s.io/<container id> of every hierarchy
// (its namespace and the container's ID). Containers killed with the node's namespaces leave
// those cgroups behind, empty: removeContainerCgroups removes the ones of the node's own
// containers, and nothing else.

// removeContainerCgroups removes the cgroups of the containers ids, and any cgroup under
// them, deepest first. A cgroup directory is removed with rmdir once no process is left in
// it; its files go with it.
func removeContainerCgroups(ids []string) error {
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range mounts {
		for _, id := range ids {
			if err := removeCgroupTree(filepath.Join(m, "k8s.io", id)); err != nil {
				errs = append(errs, err)
			}
		}
		// The parent goes too once it is empty; another node's containers keep it (rmdir
		// fails on a cgroup with children), and that node removes it when it stops.
		_ = os.Remove(filepath.Join(m, "k8s.io"))
	}
	return errors.Join(errs...)
}

func removeCgroupTree(root string) error {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, path)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing cgroup %s: %w", root, err)
	}
	slices.Reverse(dirs)
	var errs []error
	for _, dir := range dirs {
		if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing cgroup %s: %w", dir, err))
		}
	}
	return errors.Join(errs...)
}

// cgroupMounts lists the mount points of the machine's cgroup hierarchies, v1 and v2.
func cgroupMounts() ([]string, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("reading the mounts: %w", err)
	}
	var mounts []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		// "<id> <parent> <dev> <root> <mount point> <options> [optional...] - <type> ..."
		fields := strings.Fields(sc.Text())
		sep := slices.Index(fields, "-")
		if sep < 0 || sep+1 >= len(fields) || len(fields) < 5 {
			continue
		}
		if fsType := fields[sep+1]; fsType == "cgroup" || fsType == "cgroup2" {
			mounts = append(mounts, fields[4])
		}
	}
	return mounts, nil
}

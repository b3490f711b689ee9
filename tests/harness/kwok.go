package harness

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// What kwok's pods report is decided by stages (kwok/stages.yaml): kwok's own, under which
// every pod becomes Running and Ready and every Job's pod succeeds, and these conventions,
// under which a pod reports what a real kubelet would for it.
const (
	// UnpullableRegistry is a registry no image can be pulled from: a pod with an image from
	// it (UnpullableImage) stays Pending in ImagePullBackOff, with a warning event. Any
	// registry under the reserved .invalid domain behaves so.
	UnpullableRegistry = "registry.invalid"
	// FailingTag marks an image whose container exits 1 (FailingImage): a Job's pod fails,
	// any other pod crash-loops with restarts and a warning event.
	FailingTag = "exit-1"
	// CrashLoopRestarts is the restart count a crash-looping pod reports.
	CrashLoopRestarts = 5
)

// UnpullableImage names an image of repository that no pod can pull.
func UnpullableImage(repository string) string {
	return UnpullableRegistry + "/" + repository + ":1"
}

// FailingImage names an image of repository whose container exits 1.
func FailingImage(repository string) string {
	return repository + ":" + FailingTag
}

//go:embed kwok/stages.yaml
var kwokStages string

// writeKwokConfig writes kwok's configuration: the pod stages, and the logs kwok serves as
// every pod's (see ContainerLogFile). The log files are created empty, so that a request
// before a test writes one answers with nothing rather than an error.
func (k *Kube) writeKwokConfig(logContainers []string) (string, error) {
	dir := filepath.Join(k.Dir, "pod-logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the pod log directory: %w", err)
	}
	type log struct {
		Containers []string `json:"containers,omitempty"`
		LogsFile   string   `json:"logsFile"`
	}
	var logs []log
	for _, c := range append(slices.Clone(logContainers), "") {
		file := k.ContainerLogFile(c)
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			return "", fmt.Errorf("creating %s: %w", file, err)
		}
		l := log{LogsFile: file}
		if c != "" {
			l.Containers = []string{c}
		}
		logs = append(logs, l)
	}
	// JSON is YAML, and needs no quoting rules for paths.
	clusterLogs, err := json.Marshal(map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1",
		"kind":       "ClusterLogs",
		"metadata":   map[string]string{"name": "harness-logs"},
		"spec":       map[string]any{"logs": logs},
	})
	if err != nil {
		return "", fmt.Errorf("encoding kwok's logs: %w", err)
	}
	path := filepath.Join(k.Dir, "kwok.yaml")
	if err := os.WriteFile(path, []byte(kwokStages+"---\n"+string(clusterLogs)+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("writing kwok's configuration: %w", err)
	}
	return path, nil
}

// ContainerLogFile is the file kwok serves as the log of every container of that name, in
// every pod (KubeOptions.LogContainers names them); "" is the file of every other container.
// kwok serves the same file for each pod, so replicas of one component print the same lines.
func (k *Kube) ContainerLogFile(container string) string {
	if container == "" {
		container = "_default"
	}
	return filepath.Join(k.Dir, "pod-logs", container+".log")
}

// AppendContainerLog appends lines to the log of a container name, in the CRI format a
// kubelet keeps (kwok reads it the same way, so timestamps, --since and --follow behave as
// on a real node), stamped at, at+1ms, and so on.
func (k *Kube) AppendContainerLog(container string, at time.Time, lines ...string) error {
	var b strings.Builder
	for i, line := range lines {
		fmt.Fprintf(&b, "%s stdout F %s\n", at.Add(time.Duration(i)*time.Millisecond).UTC().Format(time.RFC3339Nano), line)
	}
	f, err := os.OpenFile(k.ContainerLogFile(container), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("opening the log of %s: %w", container, err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("writing the log of %s: %w", container, err)
	}
	return f.Close()
}

// Package logs reads the logs of a component's pods through the Kubernetes log API, as
// `kubectl logs` does, and merges them into one stream of lines, each tagged with its pod and
// container. Without following, the lines of every container are read in full and merged in
// time order; following, lines are passed on as they arrive, and the pods of a rollout are
// picked up as they start.
package logs

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// Line is one log line of one container.
type Line struct {
	Time      time.Time `json:"time"`
	Pod       string    `json:"pod"`
	Container string    `json:"container"`
	Text      string    `json:"text"`
}

// Options choose the pods and the lines.
type Options struct {
	Namespace string
	// Selector selects the pods: a module's, or one component's.
	Selector map[string]string
	// Since, when positive, keeps only the lines of that recent past.
	Since time.Duration
	// Follow keeps reading until ctx ends, and reads the pods that start meanwhile.
	Follow bool
	// Poll is how often, when following, the pods are listed again; 2s when zero.
	Poll time.Duration
	// Notice receives what is worth saying but is not a log line: a container that has no
	// logs yet and why.
	Notice func(string)
}

// ErrNoPods says that nothing matched the selector.
var ErrNoPods = errors.New("no pods")

// Read passes the lines of every container of the selected pods to sink, one call at a
// time. It returns ErrNoPods when no pod matched; following, it returns nil once ctx ends.
func Read(ctx context.Context, client kubernetes.Interface, o Options, sink func(Line)) error {
	if o.Follow {
		return follow(ctx, client, o, sink)
	}
	pods, err := list(ctx, client, o)
	if err != nil {
		return err
	}
	if len(pods) == 0 {
		return ErrNoPods
	}
	var all []Line
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for _, target := range targets(pods) {
		wg.Go(func() {
			var lines []Line
			err := stream(ctx, client, o, target, nil, func(l Line) { lines = append(lines, l) })
			if err != nil {
				select {
				case errs <- err:
				default:
				}
				return
			}
			mu.Lock()
			all = append(all, lines...)
			mu.Unlock()
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	// Stable, so that the lines of one container keep their order when their times tie.
	slices.SortStableFunc(all, func(a, b Line) int { return a.Time.Compare(b.Time) })
	for _, l := range all {
		sink(l)
	}
	return nil
}

// target is one container of one pod.
type target struct {
	pod, container string
	// waiting says why the container has no logs yet ("" when it has).
	waiting string
	// restarts tells a restarted container's new run from its old one.
	restarts int32
}

// targets lists the containers of pods, in the order of the pods' names.
func targets(pods []corev1.Pod) []target {
	slices.SortFunc(pods, func(a, b corev1.Pod) int { return cmp.Compare(a.Name, b.Name) })
	var out []target
	for _, p := range pods {
		statuses := map[string]corev1.ContainerStatus{}
		for _, cs := range p.Status.ContainerStatuses {
			statuses[cs.Name] = cs
		}
		for _, c := range p.Spec.Containers {
			t := target{pod: p.Name, container: c.Name}
			cs, ok := statuses[c.Name]
			switch {
			case !ok:
				t.waiting = "not started (pod " + strings.ToLower(string(p.Status.Phase)) + ")"
			case cs.State.Waiting != nil && cs.RestartCount == 0:
				t.waiting = "waiting: " + cs.State.Waiting.Reason
			}
			t.restarts = cs.RestartCount
			out = append(out, t)
		}
	}
	return out
}

func list(ctx context.Context, client kubernetes.Interface, o Options) ([]corev1.Pod, error) {
	pods, err := client.CoreV1().Pods(o.Namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(o.Selector).String()})
	if err != nil {
		return nil, fmt.Errorf("listing the pods in %s: %w", o.Namespace, err)
	}
	return pods.Items, nil
}

// stream reads one container's log with timestamps, from since when it is set (else from
// o.Since), and passes each line to sink. A container that has no log yet is a notice, not
// an error.
func stream(ctx context.Context, client kubernetes.Interface, o Options, t target, since *time.Time, sink func(Line)) error {
	if t.waiting != "" {
		o.notice("%s/%s has no logs: %s", t.pod, t.container, t.waiting)
		return nil
	}
	opts := &corev1.PodLogOptions{Container: t.container, Timestamps: true, Follow: o.Follow}
	switch {
	case since != nil:
		st := metav1.NewTime(*since)
		opts.SinceTime = &st
	case o.Since > 0:
		seconds := int64((o.Since + time.Second - 1) / time.Second)
		opts.SinceSeconds = &seconds
	}
	body, err := client.CoreV1().Pods(o.Namespace).GetLogs(t.pod, opts).Stream(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		o.notice("%s/%s has no logs: %v", t.pod, t.container, err)
		return nil
	}
	defer body.Close()
	return scan(ctx, body, t, sink)
}

// scan splits a log stream into lines: "<RFC 3339 time> <text>", as the kubelet writes
// them with timestamps.
func scan(ctx context.Context, body io.Reader, t target, sink func(Line)) error {
	lines := bufio.NewScanner(body)
	lines.Buffer(make([]byte, 64*1024), 1024*1024)
	for lines.Scan() {
		stamp, text, _ := strings.Cut(lines.Text(), " ")
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			// Not a timestamp: a line of its own, as it came.
			text = lines.Text()
		}
		sink(Line{Time: at, Pod: t.pod, Container: t.container, Text: text})
	}
	if err := lines.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading the log of %s/%s: %w", t.pod, t.container, err)
	}
	return nil
}

func (o Options) notice(format string, args ...any) {
	if o.Notice != nil {
		o.Notice(fmt.Sprintf(format, args...))
	}
}

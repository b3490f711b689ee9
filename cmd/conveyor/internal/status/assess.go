package status

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Existence says whether a module's database, topics and subscriptions exist. How it finds
// out depends on where the environment runs: see LocalExistence and CloudExistence.
type Existence interface {
	Check(ctx context.Context, m DesiredModule, snap *Snapshot) (database *Presence, topics, subscriptions []Presence)
}

// maxEvents bounds the warning events shown per component: the newest say what is wrong now.
const maxEvents = 3

// Assess joins the desired state with a snapshot of the cluster. cluster says how the
// cluster was reached, for the report.
func Assess(ctx context.Context, d *Desired, snap *Snapshot, existence Existence, cluster string) *Report {
	r := &Report{Environment: d.Environment, Cluster: cluster, Checked: snap.Taken.UTC(), Asleep: d.Asleep}
	if d.Asleep {
		r.Wake = "conveyor wake --env " + d.Environment
	}
	now := snap.Taken
	for _, dm := range d.Modules {
		m := Module{Name: dm.Name, Space: dm.Space, Namespace: dm.Namespace}
		ns := snap.namespace(dm.Namespace)
		if !ns.Exists {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: namespace %s does not exist: the environment is not deployed there", dm.Name, dm.Namespace))
		}
		for _, w := range dm.Workloads {
			c := assess(w, ns, now)
			m.Components = append(m.Components, c)
			r.Problems = append(r.Problems, problems(dm.Name, c)...)
		}
		if existence != nil {
			m.Database, m.Topics, m.Subscriptions = existence.Check(ctx, dm, snap)
		}
		for _, p := range presences(m) {
			switch p.State {
			case Exists:
			case Unknown:
				r.Notes = append(r.Notes, fmt.Sprintf("%s: cannot tell whether %s exists: %s", dm.Name, p.Name, p.How))
			default:
				r.Problems = append(r.Problems, fmt.Sprintf("%s: %s is %s: %s", dm.Name, p.Name, p.State, p.How))
			}
		}
		r.Modules = append(r.Modules, m)
	}
	for _, w := range d.Platform {
		c := assess(w, snap.namespace(w.Namespace), now)
		r.Platform = append(r.Platform, c)
		r.Problems = append(r.Problems, problems("platform", c)...)
	}
	r.Healthy = len(r.Problems) == 0
	return r
}

func presences(m Module) []Presence {
	var out []Presence
	if m.Database != nil {
		out = append(out, *m.Database)
	}
	out = append(out, m.Topics...)
	return append(out, m.Subscriptions...)
}

// problems says what is wrong with a component, if anything.
func problems(module string, c Component) []string {
	if c.Healthy {
		return nil
	}
	at := module + "/" + c.Name
	var out []string
	if !healthyState(c) {
		out = append(out, fmt.Sprintf("%s: %s: %s", at, c.State, c.Reason))
	}
	if c.ClusterImage != "" && c.ClusterImage != c.DesiredImage {
		out = append(out, fmt.Sprintf("%s: the cluster runs %s, not %s, which the next update deploys", at, c.ClusterImage, c.DesiredImage))
	}
	if c.Endpoint != nil && healthyState(c) && (!c.Endpoint.Exists || c.Endpoint.Ready == 0) {
		what := "no ready pod serves " + c.Endpoint.URL
		if !c.Endpoint.Exists {
			what = "the cluster has no Service for " + c.Endpoint.URL
		}
		out = append(out, at+": "+what)
	}
	return out
}

// healthyState reports whether the component's state is one it may stay in: a cron job's
// run in progress is normal, a job's (a migration the api waits for) is not done yet.
func healthyState(c Component) bool {
	switch c.State {
	case Available, Succeeded, Scheduled:
		return true
	case Running:
		return c.Kind == "cron"
	}
	return false
}

// Settled reports whether nothing in the report will change by itself: every component is
// healthy, failed or missing, none is still progressing, no database or topic is pending.
func (r *Report) Settled() bool { return len(r.Waiting()) == 0 }

// Waiting says what a report that has not settled waits for, one item per component or
// presence: "quotes/api progressing: 1 of 2 pods updated".
func (r *Report) Waiting() []string {
	var out []string
	add := func(module string, c Component) {
		if c.State == Progressing || (c.State == Running && !healthyState(c)) {
			out = append(out, fmt.Sprintf("%s/%s %s: %s", module, c.Name, c.State, c.Reason))
		}
	}
	for _, m := range r.Modules {
		for _, c := range m.Components {
			add(m.Name, c)
		}
		for _, p := range presences(m) {
			if p.State == Pending {
				out = append(out, fmt.Sprintf("%s: %s (%s)", m.Name, p.Name, p.How))
			}
		}
	}
	for _, c := range r.Platform {
		add("platform", c)
	}
	return out
}

// assess reads one workload's state from its namespace.
func assess(w Workload, ns *Namespace, now time.Time) Component {
	c := Component{Name: w.Component, Kind: w.Kind, Workload: w.Object + " " + w.Name, Namespace: w.Namespace, DesiredImage: w.Image}
	switch w.Object {
	case "Deployment":
		assessDeployment(&c, w, ns)
	case "StatefulSet":
		assessStatefulSet(&c, w, ns)
	case "Job":
		assessJob(&c, w, ns)
	case "CronJob":
		assessCronJob(&c, w, ns, now)
	}
	if w.Service != "" {
		c.Endpoint = endpoint(w, ns)
	}
	c.Healthy = healthyState(c) && (c.ClusterImage == "" || c.ClusterImage == c.DesiredImage) &&
		(c.Endpoint == nil || (c.Endpoint.Exists && c.Endpoint.Ready > 0))
	return c
}

// fatalWaiting are the reasons a container waits that do not pass by themselves.
var fatalWaiting = []string{
	"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
	"CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
}

// stuck says why one of the pods cannot run, or "".
func stuck(pods []corev1.Pod) string {
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		for _, cs := range append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...) {
			if w := cs.State.Waiting; w != nil && slices.Contains(fatalWaiting, w.Reason) {
				msg := w.Reason
				if w.Message != "" {
					msg += ": " + w.Message
				}
				// A crash loop's back-off says only that the container is restarted, not why:
				// how its last run ended does.
				if t := cs.LastTerminationState.Terminated; t != nil {
					msg += fmt.Sprintf("; its last run exited %d (%s)", t.ExitCode, t.Reason)
					if t.Message != "" {
						msg += ": " + strings.TrimSpace(t.Message)
					}
				}
				return fmt.Sprintf("pod %s: %s", p.Name, msg)
			}
		}
	}
	return ""
}

// unschedulable says why a pod waits for a node, or "": it may pass (a node pool grows),
// so it explains a rollout in progress rather than failing it.
func unschedulable(pods []corev1.Pod) string {
	for _, p := range pods {
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse {
				return fmt.Sprintf("pod %s cannot be scheduled: %s", p.Name, cond.Message)
			}
		}
	}
	return ""
}

func podReady(p corev1.Pod) bool {
	for _, cond := range p.Status.Conditions {
		if cond.Type == corev1.PodReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// selected returns the pods whose labels include selector.
func selected(pods []corev1.Pod, selector map[string]string) []corev1.Pod {
	var out []corev1.Pod
	for _, p := range pods {
		match := true
		for k, v := range selector {
			if p.Labels[k] != v {
				match = false
				break
			}
		}
		if match {
			out = append(out, p)
		}
	}
	return out
}

// ownedBy returns the pods that an object of that uid owns.
func ownedBy(pods []corev1.Pod, uids ...string) []corev1.Pod {
	var out []corev1.Pod
	for _, p := range pods {
		for _, ref := range p.OwnerReferences {
			if slices.Contains(uids, string(ref.UID)) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// podFacts fills what a component's pods say: restarts, and the images the ready ones run.
func podFacts(c *Component, pods []corev1.Pod, name string) {
	images := map[string]bool{}
	for _, p := range pods {
		for _, cs := range p.Status.ContainerStatuses {
			c.Restarts += int(cs.RestartCount)
		}
		if podReady(p) {
			// The pod's spec, not its status: a kubelet reports a normalized reference
			// (docker.io/library/...), which would never equal what was deployed.
			if ct := container(p.Spec.Containers, name); ct != nil {
				images[ct.Image] = true
			}
		}
	}
	c.RunningImages = sortedKeys(images)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// warnings returns the newest warning events about the objects named, and about the pods
// whose names start with one of podPrefixes (pods a controller named after its object, which
// may be gone by now).
func warnings(ns *Namespace, objects map[string]string, podPrefixes []string) []Event {
	var out []Event
	for _, e := range ns.Events {
		kind, name := e.InvolvedObject.Kind, e.InvolvedObject.Name
		match := objects[kind+"/"+name] != ""
		if !match && kind == "Pod" {
			for _, prefix := range podPrefixes {
				if strings.HasPrefix(name, prefix+"-") {
					match = true
					break
				}
			}
		}
		if !match {
			continue
		}
		count := int(e.Count)
		if e.Series != nil {
			count = int(e.Series.Count)
		}
		out = append(out, Event{Time: eventTime(e).UTC(), Object: kind + " " + name, Reason: e.Reason, Message: strings.TrimSpace(e.Message), Count: max(count, 1)})
	}
	slices.SortStableFunc(out, func(a, b Event) int { return b.Time.Compare(a.Time) })
	if len(out) > maxEvents {
		out = out[:maxEvents]
	}
	return out
}

// eventTime is when an event last happened, whichever API wrote it.
func eventTime(e corev1.Event) time.Time {
	switch {
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.FirstTimestamp.Time
}

func endpoint(w Workload, ns *Namespace) *Endpoint {
	ep := &Endpoint{URL: serviceURL(w)}
	for _, s := range ns.Services {
		if s.Name == w.Service {
			ep.Exists = true
		}
	}
	for _, slice := range ns.EndpointSlices {
		if slice.Labels["kubernetes.io/service-name"] != w.Service {
			continue
		}
		for _, e := range slice.Endpoints {
			// An unset condition means unknown, which consumers treat as ready.
			if e.Conditions.Ready == nil || *e.Conditions.Ready {
				ep.Ready++
			}
		}
	}
	return ep
}

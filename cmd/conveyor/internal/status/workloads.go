package status

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/conveyor-paas/conveyor/naming"
)

func serviceURL(w Workload) string { return naming.ServiceURL(w.Service, w.Namespace, w.Port) }

func find[T any](items []T, name string, nameOf func(*T) string) *T {
	for i := range items {
		if nameOf(&items[i]) == name {
			return &items[i]
		}
	}
	return nil
}

// counts fills what every workload says alike: the image its template asks for, the pods it
// wants (one unless it says) and those it has ready (a Job's: succeeded).
func counts(c *Component, t corev1.PodTemplateSpec, container string, desired *int32, ready int32) {
	c.ClusterImage = imageOf(t, container)
	c.Desired = 1
	if desired != nil {
		c.Desired = int(*desired)
	}
	c.Ready = int(ready)
}

// observe fills what every workload tells alike: its counts, the facts of its pods, and the
// warnings about objects and the pods whose names start with podPrefixes.
func observe(c *Component, w Workload, ns *Namespace, t corev1.PodTemplateSpec, desired *int32, ready int32,
	pods []corev1.Pod, objects map[string]string, podPrefixes []string) {
	counts(c, t, w.Container, desired, ready)
	podFacts(c, pods, w.Container)
	c.Events = warnings(ns, objects, podPrefixes)
}

// notActedOn is the reason of a workload whose controller has not seen its latest spec.
const notActedOn = "the controller has not acted on the latest change yet"

// progressing marks c progressing for reason, and says why pods cannot be scheduled when
// some cannot.
func progressing(c *Component, reason string, pods []corev1.Pod) {
	c.State, c.Reason = Progressing, reason
	if why := unschedulable(pods); why != "" {
		c.Reason += "; " + why
	}
}

func missing(c *Component, w Workload) {
	c.State = Missing
	c.Reason = fmt.Sprintf("the cluster has no %s %s/%s", w.Object, w.Namespace, w.Name)
}

// assessDeployment: available once every desired pod runs the current template and is
// available; failed when a pod cannot start (its image cannot be pulled, it crash-loops) or
// the controller gave up (progress deadline, a replica it cannot create); progressing
// otherwise.
func assessDeployment(c *Component, w Workload, ns *Namespace) {
	d := find(ns.Deployments, w.Name, func(d *appsv1.Deployment) string { return d.Name })
	if d == nil {
		missing(c, w)
		return
	}
	objects := map[string]string{"Deployment/" + d.Name: d.Name, "HorizontalPodAutoscaler/" + d.Name: d.Name, "PodDisruptionBudget/" + d.Name: d.Name}
	var sets []string
	for _, rs := range ns.ReplicaSets {
		for _, ref := range rs.OwnerReferences {
			if ref.UID == d.UID {
				sets = append(sets, rs.Name)
				objects["ReplicaSet/"+rs.Name] = rs.Name
			}
		}
	}
	pods := selected(ns.Pods, w.Selector)
	observe(c, w, ns, d.Spec.Template, d.Spec.Replicas, d.Status.ReadyReplicas, pods, objects, sets)

	condition := func(t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
		for i := range d.Status.Conditions {
			if d.Status.Conditions[i].Type == t {
				return &d.Status.Conditions[i]
			}
		}
		return nil
	}
	updated, available := int(d.Status.UpdatedReplicas), int(d.Status.AvailableReplicas)
	switch p, f := condition(appsv1.DeploymentProgressing), condition(appsv1.DeploymentReplicaFailure); {
	case stuck(pods) != "":
		c.State, c.Reason = Failed, stuck(pods)
	case p != nil && p.Status == corev1.ConditionFalse:
		c.State, c.Reason = Failed, p.Reason+": "+p.Message
	case f != nil && f.Status == corev1.ConditionTrue:
		c.State, c.Reason = Failed, f.Reason+": "+f.Message
	case d.Status.ObservedGeneration < d.Generation:
		c.State, c.Reason = Progressing, notActedOn
	case updated == c.Desired && int(d.Status.Replicas) == c.Desired && available == c.Desired:
		c.State = Available
	default:
		reason := fmt.Sprintf("%d of %d pods updated, %d available", updated, c.Desired, available)
		if old := int(d.Status.Replicas) - updated; old > 0 {
			reason += fmt.Sprintf(", %d old still running", old)
		}
		progressing(c, reason, pods)
	}
}

// assessStatefulSet: available once every replica is ready and at the current revision.
func assessStatefulSet(c *Component, w Workload, ns *Namespace) {
	s := find(ns.StatefulSets, w.Name, func(s *appsv1.StatefulSet) string { return s.Name })
	if s == nil {
		missing(c, w)
		return
	}
	pods := selected(ns.Pods, w.Selector)
	observe(c, w, ns, s.Spec.Template, s.Spec.Replicas, s.Status.ReadyReplicas, pods,
		map[string]string{"StatefulSet/" + s.Name: s.Name}, []string{s.Name})
	switch {
	case stuck(pods) != "":
		c.State, c.Reason = Failed, stuck(pods)
	case s.Status.ObservedGeneration < s.Generation:
		c.State, c.Reason = Progressing, notActedOn
	case c.Ready == c.Desired && int(s.Status.UpdatedReplicas) == c.Desired && s.Status.CurrentRevision == s.Status.UpdateRevision:
		c.State = Available
	default:
		progressing(c, fmt.Sprintf("%d of %d pods ready, %d updated", c.Ready, c.Desired, s.Status.UpdatedReplicas), pods)
	}
}

// assessJob: the state of a job is the outcome of its run.
func assessJob(c *Component, w Workload, ns *Namespace) {
	j := find(ns.Jobs, w.Name, func(j *batchv1.Job) string { return j.Name })
	if j == nil {
		missing(c, w)
		return
	}
	pods := ownedBy(ns.Pods, string(j.UID))
	observe(c, w, ns, j.Spec.Template, j.Spec.Completions, j.Status.Succeeded, pods,
		map[string]string{"Job/" + j.Name: j.Name}, []string{j.Name})
	run := jobRun(j, pods)
	c.LastRun = &run
	c.State, c.Reason = run.Outcome, run.Reason
}

// jobRun reads the outcome of one Job: succeeded, failed (with the controller's reason and
// how the last failed pod ended), or running (failed too when its pod cannot start, which no
// retry fixes).
func jobRun(j *batchv1.Job, pods []corev1.Pod) Run {
	run := Run{Job: j.Name, Outcome: Running}
	if j.Status.StartTime != nil {
		run.Started = timePtr(j.Status.StartTime.Time)
	}
	for _, cond := range j.Status.Conditions {
		if cond.Status != corev1.ConditionTrue {
			continue
		}
		switch cond.Type {
		case batchv1.JobComplete:
			run.Outcome, run.Reason = Succeeded, ""
			if j.Status.CompletionTime != nil {
				run.Finished = timePtr(j.Status.CompletionTime.Time)
			}
			return run
		case batchv1.JobFailed:
			run.Outcome = Failed
			run.Finished = timePtr(cond.LastTransitionTime.Time)
			run.Reason = strings.TrimSuffix(cond.Reason+": "+cond.Message, ": ")
			if exit := lastExit(pods); exit != "" {
				run.Reason += "; " + exit
			}
			return run
		}
	}
	if why := stuck(pods); why != "" {
		run.Outcome, run.Reason = Failed, why
		return run
	}
	run.Reason = fmt.Sprintf("%d running", j.Status.Active)
	if j.Status.Failed > 0 {
		run.Reason += fmt.Sprintf(" after %d failed attempts; %s", j.Status.Failed, lastExit(pods))
	}
	return run
}

// lastExit says how the most recent failed pod's container ended: "pod x: exit code 1 (Error)".
func lastExit(pods []corev1.Pod) string {
	var last *corev1.Pod
	for i, p := range pods {
		if p.Status.Phase == corev1.PodFailed && (last == nil || p.CreationTimestamp.After(last.CreationTimestamp.Time)) {
			last = &pods[i]
		}
	}
	if last == nil {
		return ""
	}
	for _, cs := range last.Status.ContainerStatuses {
		if t := cs.State.Terminated; t != nil {
			return fmt.Sprintf("pod %s: exit code %d (%s)", last.Name, t.ExitCode, t.Reason)
		}
	}
	return fmt.Sprintf("pod %s failed: %s", last.Name, last.Status.Reason)
}

// assessCronJob: scheduled while its last run succeeded (or it has not been due yet),
// running during a run, failed when its last run failed or a run it was due for never came.
func assessCronJob(c *Component, w Workload, ns *Namespace, now time.Time) {
	cj := find(ns.CronJobs, w.Name, func(cj *batchv1.CronJob) string { return cj.Name })
	if cj == nil {
		missing(c, w)
		return
	}
	c.ClusterImage = imageOf(cj.Spec.JobTemplate.Spec.Template, w.Container)
	var jobs []*batchv1.Job
	var names, uids []string
	for i := range ns.Jobs {
		for _, ref := range ns.Jobs[i].OwnerReferences {
			if ref.UID == cj.UID {
				jobs = append(jobs, &ns.Jobs[i])
				names = append(names, ns.Jobs[i].Name)
				uids = append(uids, string(ns.Jobs[i].UID))
			}
		}
	}
	slices.SortFunc(jobs, func(a, b *batchv1.Job) int { return a.CreationTimestamp.Compare(b.CreationTimestamp.Time) })
	objects := map[string]string{"CronJob/" + cj.Name: cj.Name}
	for _, n := range names {
		objects["Job/"+n] = n
	}
	pods := ownedBy(ns.Pods, uids...)
	podFacts(c, pods, w.Container)
	c.Events = warnings(ns, objects, names)
	schedule, err := cron.ParseStandard(cronSpec(cj))
	if err == nil {
		c.NextRun = timePtr(schedule.Next(now).UTC())
	}
	switch {
	case w.Asleep && cj.Spec.Suspend != nil && *cj.Spec.Suspend:
		// Suspended as declared: the environment sleeps, and its runs wait for the wake.
		c.State, c.Reason = Scheduled, "suspended: the environment is asleep"
	case cj.Spec.Suspend != nil && *cj.Spec.Suspend:
		c.State, c.Reason = Failed, "suspended: it will not run until someone resumes it"
	case len(jobs) > 0:
		last := jobs[len(jobs)-1]
		run := jobRun(last, ownedBy(ns.Pods, string(last.UID)))
		c.LastRun = &run
		c.Ready, c.Desired = int(last.Status.Succeeded), 1
		switch run.Outcome {
		case Succeeded:
			c.State = Scheduled
		case Failed:
			c.State, c.Reason = Failed, "its last run failed: "+run.Reason
		default:
			c.State, c.Reason = Running, run.Reason
		}
	case cj.Status.LastScheduleTime != nil:
		// Its runs are gone from the history; the controller still knows the last one.
		c.State = Scheduled
		c.LastRun = &Run{Started: timePtr(cj.Status.LastScheduleTime.Time), Outcome: Succeeded}
		if cj.Status.LastSuccessfulTime == nil || cj.Status.LastSuccessfulTime.Before(cj.Status.LastScheduleTime) {
			c.LastRun.Outcome = "unknown"
		}
	case err != nil:
		c.State, c.Reason = Failed, fmt.Sprintf("its schedule %q cannot be read: %v", cj.Spec.Schedule, err)
	default:
		// Never ran: fine until a run was due and the controller's grace for starting it
		// (startingDeadlineSeconds) has passed.
		due := schedule.Next(cj.CreationTimestamp.Time)
		grace := 5 * time.Minute // Conveyor sets a deadline; without one, allow as much
		if cj.Spec.StartingDeadlineSeconds != nil {
			grace = time.Duration(*cj.Spec.StartingDeadlineSeconds) * time.Second
		}
		if now.After(due.Add(grace)) {
			c.State, c.Reason = Failed, fmt.Sprintf("it never ran, although a run was due at %s", due.UTC().Format(time.RFC3339))
		} else {
			c.State, c.Reason = Scheduled, "it has never run yet"
		}
	}
}

// cronSpec is the schedule with the CronJob's time zone, as the controller reads it.
func cronSpec(cj *batchv1.CronJob) string {
	if cj.Spec.TimeZone != nil && *cj.Spec.TimeZone != "" {
		return "CRON_TZ=" + *cj.Spec.TimeZone + " " + cj.Spec.Schedule
	}
	return cj.Spec.Schedule
}

func imageOf(t corev1.PodTemplateSpec, name string) string {
	if c := container(t.Spec.Containers, name); c != nil {
		return c.Image
	}
	return ""
}

func timePtr(t time.Time) *time.Time {
	u := t.UTC()
	return &u
}

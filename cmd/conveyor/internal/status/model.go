// Package status says what runs in an environment: it reads the live cluster (never the
// state file), compares it with what the program declares for the environment (evaluated
// offline, with the images the next update would deploy), and reports per module and
// component the desired and running images, the rollout state and why, pods and restarts,
// the last warning events, the last run of jobs and crons, the endpoint, and whether the
// module's database and topics exist.
//
// Desired (desired.go) comes from the catalog and the rendered objects; Snapshot (live.go)
// is one read of the cluster; Assess (assess.go) joins them into a Report, a pure function of
// both and the time, which text.go and the JSON encoder write.
package status

import "time"

// States of a component. A Deployment or StatefulSet is available, progressing or failed; a
// Job succeeded, is running or failed; a CronJob is scheduled (its last run, if any,
// succeeded), running or failed. Anything the cluster lacks is missing.
const (
	Available   = "available"
	Progressing = "progressing"
	Failed      = "failed"
	Missing     = "missing"
	Succeeded   = "succeeded"
	Running     = "running"
	Scheduled   = "scheduled"
)

// Presence states of a database, topic or subscription.
const (
	Exists  = "exists"
	Absent  = "missing"
	Pending = "pending"
	Unknown = "unknown"
)

// Report is the status of one environment. Its JSON form is what `status --json` prints;
// field names are part of the command's interface.
type Report struct {
	Environment string `json:"environment"`
	// Cluster says how the cluster was reached: a kubeconfig context, or a cluster stack.
	Cluster string    `json:"cluster"`
	Checked time.Time `json:"checked"`
	// Healthy is true when every component is in a healthy state, runs its desired image,
	// and every database, topic and subscription exists.
	Healthy bool `json:"healthy"`
	// Asleep: the environment sleeps (conveyor:asleep), its modules running no pods by
	// design; Wake is the command that wakes it.
	Asleep  bool     `json:"asleep,omitempty"`
	Wake    string   `json:"wake,omitempty"`
	Modules []Module `json:"modules"`
	// Platform are the environment's own services on a local cluster (PostgreSQL, the
	// Pub/Sub emulator).
	Platform []Component `json:"platform,omitempty"`
	// Problems say what is degraded, one line each: "<module>/<component>: <what>".
	Problems []string `json:"problems,omitempty"`
	// Notes are what could not be checked, which does not make the environment degraded.
	Notes []string `json:"notes,omitempty"`
}

// Module is the status of one module.
type Module struct {
	Name       string      `json:"name"`
	Space      string      `json:"space"`
	Namespace  string      `json:"namespace"`
	Components []Component `json:"components"`
	// Database is nil when the module has none.
	Database      *Presence  `json:"database,omitempty"`
	Topics        []Presence `json:"topics,omitempty"`
	Subscriptions []Presence `json:"subscriptions,omitempty"`
}

// Component is the status of one component's workload.
type Component struct {
	Name string `json:"name"`
	// Kind is the component's kind: api, handler, cron, job (or, on the platform, the
	// workload's kind).
	Kind string `json:"kind"`
	// Workload is the object that runs it: "Deployment quotes-api".
	Workload  string `json:"workload"`
	Namespace string `json:"namespace"`
	State     string `json:"state"`
	// Reason says why the component is in its state, when it is not plainly healthy.
	Reason string `json:"reason,omitempty"`
	// DesiredImage is what the next update deploys; ClusterImage what the cluster's object
	// asks for; RunningImages what its ready pods run.
	DesiredImage  string   `json:"desiredImage"`
	ClusterImage  string   `json:"clusterImage,omitempty"`
	RunningImages []string `json:"runningImages,omitempty"`
	// Ready and Desired count pods: ready replicas of a Deployment or StatefulSet, succeeded
	// completions of a Job.
	Ready    int `json:"ready"`
	Desired  int `json:"desired"`
	Restarts int `json:"restarts"`
	// Events are the last warning events of the workload and its pods, newest first.
	Events   []Event    `json:"events,omitempty"`
	LastRun  *Run       `json:"lastRun,omitempty"`
	NextRun  *time.Time `json:"nextRun,omitempty"`
	Endpoint *Endpoint  `json:"endpoint,omitempty"`
	// Healthy is true when the state is healthy and the cluster runs the desired image.
	Healthy bool `json:"healthy"`
}

// Event is a warning event.
type Event struct {
	Time    time.Time `json:"time"`
	Object  string    `json:"object"`
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
	Count   int       `json:"count"`
}

// Run is one run of a job or cron.
type Run struct {
	Job      string     `json:"job"`
	Started  *time.Time `json:"started,omitempty"`
	Finished *time.Time `json:"finished,omitempty"`
	// Outcome is succeeded, failed or running.
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// Endpoint is an api's in-cluster URL and how many pods serve it.
type Endpoint struct {
	URL   string `json:"url"`
	Ready int    `json:"ready"`
	// Exists is false when the cluster has no Service for it.
	Exists bool `json:"exists"`
}

// Presence says whether a database, topic or subscription exists, and how that was found.
type Presence struct {
	Name  string `json:"name"`
	State string `json:"state"`
	How   string `json:"how"`
}

// Component finds module's component name in the report: what a reader of one component's
// state (a test, a script over `status --json`) looks up.
func (r *Report) Component(module, name string) (Component, bool) {
	for _, m := range r.Modules {
		for _, c := range m.Components {
			if m.Name == module && c.Name == name {
				return c, true
			}
		}
	}
	return Component{}, false
}

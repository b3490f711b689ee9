package status

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/conveyor-paas/conveyor/naming"
)

// LocalExistence finds out on a local cluster, where a Job per module in the platform
// namespace creates the module's database and user, another its topics, a third its
// subscriptions, each idempotently: what exists is what a completed setup Job created. (The
// PostgreSQL and the emulator run in pods the API server cannot be asked to reach, so the
// Jobs' outcome is the evidence the cluster itself keeps.)
type LocalExistence struct {
	// PlatformNamespace is the environment's platform namespace.
	PlatformNamespace string
}

// Check implements Existence.
func (l LocalExistence) Check(_ context.Context, m DesiredModule, snap *Snapshot) (*Presence, []Presence, []Presence) {
	ns := snap.namespace(l.PlatformNamespace)
	by := func(component string, names []string) []Presence {
		state, how := l.setup(ns, naming.SetupJob(m.Name, component))
		var out []Presence
		for _, n := range names {
			out = append(out, Presence{Name: n, State: state, How: how})
		}
		return out
	}
	var db *Presence
	if m.Database != "" {
		db = &by(naming.DatabaseSetupComponent, []string{m.Database})[0]
	}
	return db, by(naming.TopicsSetupComponent, m.Topics), by(naming.SubscriptionsSetupComponent, m.Subscriptions)
}

func (l LocalExistence) setup(ns *Namespace, job string) (state, how string) {
	where := l.PlatformNamespace + "/" + job
	j := find(ns.Jobs, job, func(j *batchv1.Job) string { return j.Name })
	if j == nil {
		return Absent, "there is no setup Job " + where
	}
	run := jobRun(j, ownedBy(ns.Pods, string(j.UID)))
	switch run.Outcome {
	case Succeeded:
		how = "setup Job " + where + " completed"
		if run.Finished != nil {
			how += " at " + run.Finished.Format(time.RFC3339)
		}
		return Exists, how
	case Failed:
		return Absent, "setup Job " + where + " failed: " + run.Reason
	}
	return Pending, "setup Job " + where + " is running"
}

// Google API endpoints.
const (
	SQLAdminURL = "https://sqladmin.googleapis.com"
	PubSubURL   = "https://pubsub.googleapis.com"
)

// CloudExistence finds out on GCP by asking the services themselves: the Cloud SQL Admin API
// for the database on the cluster's shared instance, the Pub/Sub API for each topic and
// subscription. A 200 is found, a 404 is missing; anything else (no credentials, no
// permission) is unknown and said so.
type CloudExistence struct {
	// Project and SQLInstance are the cluster stack's outputs.
	Project, SQLInstance string
	SQLAdmin, PubSub     API
}

// API is where a Google API answers and the client that carries the credentials
// (application default credentials in the command; none for the Pub/Sub emulator).
type API struct {
	URL  string
	HTTP *http.Client
}

// Check implements Existence.
func (c CloudExistence) Check(ctx context.Context, m DesiredModule, _ *Snapshot) (*Presence, []Presence, []Presence) {
	esc := url.PathEscape
	var db *Presence
	if m.Database != "" {
		p := ask(ctx, m.Database, "Cloud SQL instance "+c.SQLInstance, c.SQLAdmin,
			fmt.Sprintf("v1/projects/%s/instances/%s/databases/%s", esc(c.Project), esc(c.SQLInstance), esc(m.Database)))
		db = &p
	}
	var topics, subs []Presence
	for _, t := range m.Topics {
		topics = append(topics, ask(ctx, t, "Pub/Sub", c.PubSub, fmt.Sprintf("v1/projects/%s/topics/%s", esc(c.Project), esc(t))))
	}
	for _, s := range m.Subscriptions {
		subs = append(subs, ask(ctx, s, "Pub/Sub", c.PubSub, fmt.Sprintf("v1/projects/%s/subscriptions/%s", esc(c.Project), esc(s))))
	}
	return db, topics, subs
}

// ask GETs one resource of a Google API.
func ask(ctx context.Context, name, service string, api API, path string) Presence {
	u := strings.TrimSuffix(api.URL, "/") + "/" + path
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Presence{Name: name, State: Unknown, How: err.Error()}
	}
	resp, err := api.HTTP.Do(req)
	if err != nil {
		return Presence{Name: name, State: Unknown, How: fmt.Sprintf("asking %s: %v", service, err)}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	switch resp.StatusCode {
	case http.StatusOK:
		return Presence{Name: name, State: Exists, How: service + " has it"}
	case http.StatusNotFound:
		return Presence{Name: name, State: Absent, How: service + " does not have it"}
	}
	return Presence{Name: name, State: Unknown, How: fmt.Sprintf("%s answered %s", service, resp.Status)}
}

package stackops

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// crashLoopGrace is how long the new pods of a Deployment may crash-loop during an update
// before the command stops the update. The kubernetes provider never gives up on a crash
// loop by itself: it waits the Deployment's whole timeout (ten minutes in a long-lived
// environment, components' adHocRolloutDeadline in an ad-hoc one) and reports the crash
// loop only as warnings meanwhile. A minute of CrashLoopBackOff is three or four restarts at
// the kubelet's back-off (10, 20, 40 s): a pod that merely started before what it needs and
// recovers has recovered by then.
const crashLoopGrace = time.Minute

// crashLoopMark is how the provider's status messages about a pod name a container that
// crash-loops (cloud-ready-checks: "[CrashLoopBackOff] back-off 20s restarting failed…").
const crashLoopMark = "[CrashLoopBackOff]"

// deploymentType is the type of the resources whose rollouts are watched.
const deploymentType = "kubernetes:apps/v1:Deployment"

// CrashLoopError is why an update was stopped: the new pods of a Deployment crash-looped for
// the grace period while the provider waited for them.
type CrashLoopError struct {
	Deployment string        // its name in the program (the URN's last part)
	For        time.Duration // how long the crash loop had lasted
	Pods       string        // the provider's last word about its pods

	urn string // the Deployment's, which the command refreshes after the stop
}

func (e *CrashLoopError) Error() string {
	return fmt.Sprintf("stopped the update rather than wait out the provider's rollout timeout: "+
		"the new pods of %s have been crash-looping for %s (%s). "+
		"The earlier pods keep serving (maxUnavailable: 0); fix the image and deploy again, "+
		"or `conveyor rollback`", e.Deployment, e.For.Round(time.Second), e.Pods)
}

// crashWatch reads an update's events and stops the update (stop, with a *CrashLoopError as
// cause) once a Deployment's pods have been crash-looping for grace: it is armed by the first
// status message that says so, and disarmed when the Deployment's step ends, whether it
// became ready or failed.
type crashWatch struct {
	grace time.Duration
	stop  context.CancelCauseFunc

	mu     sync.Mutex
	armed  map[string]*time.Timer // by URN
	since  map[string]time.Time
	latest map[string]string // the latest crash-loop message, by URN
}

func newCrashWatch(grace time.Duration, stop context.CancelCauseFunc) *crashWatch {
	return &crashWatch{grace: grace, stop: stop,
		armed: map[string]*time.Timer{}, since: map[string]time.Time{}, latest: map[string]string{}}
}

// see takes one event of the update's stream; it returns at once.
func (w *crashWatch) see(ev events.EngineEvent) {
	switch {
	case ev.DiagnosticEvent != nil:
		d := ev.DiagnosticEvent
		if !isDeployment(d.URN) || !strings.Contains(d.Message, crashLoopMark) {
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.latest[d.URN] = strings.Join(strings.Fields(d.Message), " ") // one line
		if _, ok := w.armed[d.URN]; !ok {
			urn := d.URN
			w.since[urn] = time.Now()
			w.armed[urn] = time.AfterFunc(w.grace, func() { w.fire(urn) })
		}
	case ev.ResOutputsEvent != nil:
		w.disarm(ev.ResOutputsEvent.Metadata.URN)
	case ev.ResOpFailedEvent != nil:
		w.disarm(ev.ResOpFailedEvent.Metadata.URN)
	}
}

func (w *crashWatch) fire(urn string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.armed[urn]; !ok {
		return // disarmed while the timer fired
	}
	w.stop(&CrashLoopError{
		Deployment: resource.URN(urn).Name(),
		For:        time.Since(w.since[urn]),
		Pods:       w.latest[urn],
		urn:        urn,
	})
}

func (w *crashWatch) disarm(urn string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.armed[urn]; ok {
		t.Stop()
		delete(w.armed, urn)
	}
}

// close disarms every timer: the update is over.
func (w *crashWatch) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for urn, t := range w.armed {
		t.Stop()
		delete(w.armed, urn)
	}
}

func isDeployment(urn string) bool {
	u := resource.URN(urn)
	return u.IsValid() && string(u.Type()) == deploymentType
}

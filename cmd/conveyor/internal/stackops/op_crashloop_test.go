package stackops

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// TestCrashWatch feeds the watch the events an update streams, as the kubernetes provider
// words them, and sees whether it stops the update: only for a Deployment whose pods are
// still crash-looping when the grace period ends.
func TestCrashWatch(t *testing.T) {
	const (
		deployment = "urn:pulumi:dev::conveyor::conveyor:platform:Module$conveyor:platform:Component$kubernetes:apps/v1:Deployment::orders-api"
		job        = "urn:pulumi:dev::conveyor::conveyor:platform:Module$conveyor:platform:Component$kubernetes:batch/v1:Job::orders-migrate"
		crashing   = `[Pod dev-shop/orders-api-5d8967d48f-d669j]: containers with unready status: [api] -- [CrashLoopBackOff] back-off 20s restarting failed container=api pod=orders-api-5d8967d48f-d669j_dev-shop(1f2e)`
		unready    = `[MinimumReplicasUnavailable] Deployment does not have minimum availability.`
	)
	diag := func(urn, msg string) events.EngineEvent {
		return events.EngineEvent{EngineEvent: apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{
			URN: urn, Message: msg, Severity: "warning", Ephemeral: true}}}
	}
	done := func(urn string) events.EngineEvent {
		return events.EngineEvent{EngineEvent: apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{
			Metadata: apitype.StepEventMetadata{URN: urn}}}}
	}
	failed := func(urn string) events.EngineEvent {
		return events.EngineEvent{EngineEvent: apitype.EngineEvent{ResOpFailedEvent: &apitype.ResOpFailedEvent{
			Metadata: apitype.StepEventMetadata{URN: urn}}}}
	}
	tests := []struct {
		name   string
		events []events.EngineEvent
		stops  bool
	}{
		{"a Deployment crash-looping past the grace", []events.EngineEvent{diag(deployment, unready), diag(deployment, crashing)}, true},
		{"a Deployment that recovers within it", []events.EngineEvent{diag(deployment, crashing), done(deployment)}, false},
		{"a Deployment whose step fails within it", []events.EngineEvent{diag(deployment, crashing), failed(deployment)}, false},
		{"a Deployment not yet available, never crash-looping", []events.EngineEvent{diag(deployment, unready)}, false},
		{"a Job's pod crash-looping (the provider's own wait decides)", []events.EngineEvent{diag(job, crashing)}, false},
	}
	const grace = 50 * time.Millisecond
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(t.Context())
			defer stop(nil)
			w := newCrashWatch(grace, stop)
			defer w.close()
			for _, ev := range tt.events {
				w.see(ev)
			}
			wait := 20 * grace
			if tt.stops {
				wait = 10 * time.Second // a loaded machine's timer
			}
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			var crash *CrashLoopError
			stopped := errors.As(context.Cause(ctx), &crash)
			if stopped != tt.stops {
				t.Fatalf("stopped the update: %v (cause %v), want %v", stopped, context.Cause(ctx), tt.stops)
			}
			if !stopped {
				return
			}
			if crash.Deployment != "orders-api" || crash.urn != deployment || crash.Pods != crashing || crash.For < grace {
				t.Errorf("cause = %+v, want orders-api, the provider's last message, at least %s", crash, grace)
			}
			for _, want := range []string{"orders-api", "crash-looping", "CrashLoopBackOff", "rollback"} {
				if !strings.Contains(crash.Error(), want) {
					t.Errorf("the error does not say %q: %s", want, crash.Error())
				}
			}
		})
	}
}

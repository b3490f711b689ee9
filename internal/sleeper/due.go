package sleeper

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/conveyor-paas/conveyor/naming"
)

// Policy is when an environment sleeps by itself.
type Policy struct {
	// Awake are the hours it is kept awake; outside them it sleeps. Nil: no schedule.
	Awake *Hours
	// Idle: it sleeps once it has had no deploy and no wake for this long. Zero: never.
	Idle time.Duration
}

// Tier defaults: an ad-hoc environment is a preview people look at in working hours, and one
// nobody has deployed or woken for a day is forgotten; long-lived environments sleep only
// when their stack file says so (dev follows main, staging gates production).
const (
	DefaultAdHocHours = "Mon-Fri 06:00-20:00 UTC"
	DefaultAdHocIdle  = 24 * time.Hour
)

// DefaultPolicy is kind's policy, which an environment's stack file may replace key by key.
func DefaultPolicy(kind naming.StackKind) Policy {
	if kind != naming.StackAdHoc {
		return Policy{}
	}
	h, err := ParseHours(DefaultAdHocHours)
	if err != nil {
		panic(err) // a constant
	}
	return Policy{Awake: h, Idle: DefaultAdHocIdle}
}

// PolicyOf is kind's policy with the keys of an environment's stack file config over it
// (naming.ConfigAwakeHours, naming.ConfigIdleSleep); file names the file in errors.
func PolicyOf(kind naming.StackKind, config map[string]string, file string) (Policy, error) {
	p := DefaultPolicy(kind)
	if text, ok := config[naming.ConfigAwakeHours]; ok {
		p.Awake = nil
		if text != "always" {
			h, err := ParseHours(text)
			if err != nil {
				return Policy{}, fmt.Errorf("%s: %s: %w", file, naming.ConfigAwakeHours, err)
			}
			p.Awake = h
		}
	}
	if text, ok := config[naming.ConfigIdleSleep]; ok {
		d, err := parseIdle(text)
		if err != nil {
			return Policy{}, fmt.Errorf("%s: %s: %w", file, naming.ConfigIdleSleep, err)
		}
		p.Idle = d
	}
	return p, nil
}

func parseIdle(text string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(text, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(text)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: want a duration (24h, 3d) or 0 for never", text)
	}
	return d, nil
}

// Env is what the decisions read of one environment.
type Env struct {
	Name string
	Kind naming.StackKind
	// Production: prod, or a stack its config makes production.
	Production bool
	// Asleep is why it sleeps (naming.SleepManual, ...); empty when awake.
	Asleep string
	// Keep holds it awake (`conveyor wake --keep`).
	Keep bool
	// LastActive is its last deploy or wake by a person: what its idle time counts from.
	LastActive time.Time
	Policy     Policy
}

// Decision is what is due for one environment: Sleep or Wake, or neither, and why.
type Decision struct {
	Env   string `json:"env"`
	Sleep bool   `json:"sleep,omitempty"`
	Wake  bool   `json:"wake,omitempty"`
	// Reason is the sleep's reason when Sleep (naming.SleepSchedule or SleepIdle).
	Reason string `json:"reason,omitempty"`
	// Why says it in words, for the report, whatever the decision.
	Why string `json:"why"`
}

// DueToSleep decides whether e is due to sleep at now: outside its awake hours, or idle for
// longer than its limit. Production, the cluster stacks and local environments (a
// developer's own machine, which no workflow reaches) never sleep by themselves; nor does
// one that sleeps already, or that a person keeps awake.
func DueToSleep(e Env, now time.Time) Decision {
	d := Decision{Env: e.Name}
	switch {
	case e.Production || e.Kind == naming.StackProduction:
		d.Why = "production never sleeps"
	case e.Kind != naming.StackAdHoc && e.Kind != naming.StackLongLived:
		d.Why = fmt.Sprintf("a %s stack sleeps only by hand", e.Kind)
	case e.Asleep != "":
		d.Why = "asleep already (" + e.Asleep + ")"
	case e.Keep:
		d.Why = "kept awake (wake --keep)"
	case e.Policy.Idle > 0 && idle(e, now) >= e.Policy.Idle:
		d.Sleep, d.Reason = true, naming.SleepIdle
		d.Why = fmt.Sprintf("no deploy or wake for %s (limit %s)", idle(e, now).Round(time.Minute), e.Policy.Idle)
	case e.Policy.Awake != nil && !e.Policy.Awake.Awake(now):
		d.Sleep, d.Reason = true, naming.SleepSchedule
		d.Why = "outside its awake hours " + e.Policy.Awake.String()
	case e.Policy.Awake != nil:
		d.Why = "within its awake hours " + e.Policy.Awake.String()
	default:
		d.Why = "no schedule and not idle"
	}
	return d
}

// DueToWake decides whether e, asleep on schedule, is due to wake at now: its awake hours
// are back, and it has not been idle for longer than its limit meanwhile (a forgotten preview
// is not woken every morning). A sleep by hand or for idleness waits for a person.
func DueToWake(e Env, now time.Time) Decision {
	d := Decision{Env: e.Name}
	switch {
	case e.Asleep == "":
		d.Why = "awake"
	case e.Asleep != naming.SleepSchedule:
		d.Why = "asleep (" + e.Asleep + "): it waits for conveyor wake"
	case e.Policy.Idle > 0 && idle(e, now) >= e.Policy.Idle:
		d.Why = fmt.Sprintf("asleep on schedule, but idle for %s (limit %s): it waits for conveyor wake", idle(e, now).Round(time.Minute), e.Policy.Idle)
	case e.Policy.Awake == nil:
		d.Wake, d.Why = true, "asleep on a schedule it no longer has"
	case e.Policy.Awake.Awake(now):
		d.Wake, d.Why = true, "within its awake hours "+e.Policy.Awake.String()
	default:
		d.Why = "outside its awake hours " + e.Policy.Awake.String()
	}
	return d
}

func idle(e Env, now time.Time) time.Duration {
	if e.LastActive.IsZero() {
		return 0 // never deployed: nothing runs that could idle
	}
	return now.Sub(e.LastActive)
}

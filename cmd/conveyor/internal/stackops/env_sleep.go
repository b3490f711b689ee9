package stackops

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/naming"
)

// Whether an environment sleeps is how it is run now, not what the repository declares, so it
// lives in stack tags beside the TTL (env_metadata.go), never in a stack file: `sleep` and
// `wake` work on dev and staging, whose stack files git tracks, and change no file. Each
// operation composes the tag into the program's config as naming.ConfigAsleep
// (composeAsleep), as it composes the cluster tag; the program renders the environment asleep
// (components.Environment.Asleep) for as long as the tag is there, so an up or a deploy keeps
// it asleep instead of fighting it.
const (
	// TagAsleep says the environment sleeps, and why: one of the Sleep* reasons.
	TagAsleep = naming.ConfigAsleep
	// TagWoken is when it was last woken (RFC 3339, UTC): its idle time and, for an ad-hoc
	// environment, its TTL count from there.
	TagWoken = "conveyor:woken"
	// TagKeep holds an environment awake: no schedule and no idle limit puts it to sleep.
	TagKeep = "conveyor:keep"
	// TagScaled says that the sleeper scaled the environment down on its cluster, outside an
	// update, since it last woke: its wake must release the sleeper's writes first.
	TagScaled = "conveyor:sleeper-scaled"
)

// Why an environment sleeps, the value of TagAsleep (naming.SleepManual and the others).
const (
	SleepManual   = naming.SleepManual
	SleepSchedule = naming.SleepSchedule
	SleepIdle     = naming.SleepIdle
)

// SleepState is what an environment's tags say of its sleep.
type SleepState struct {
	// Asleep is why it sleeps (a Sleep* reason); empty when awake.
	Asleep string `json:"asleep,omitempty"`
	Keep   bool   `json:"keep,omitempty"`
	// Scaled: the sleeper scaled it down outside an update (TagScaled).
	Scaled bool      `json:"scaled,omitempty"`
	Woken  time.Time `json:"woken,omitzero"`
}

func parseSleep(tags map[string]string) SleepState {
	s := SleepState{Asleep: tags[TagAsleep]}
	s.Keep, _ = strconv.ParseBool(tags[TagKeep])
	s.Scaled, _ = strconv.ParseBool(tags[TagScaled])
	if t, err := time.Parse(time.RFC3339, tags[TagWoken]); err == nil {
		s.Woken = t
	}
	return s
}

// composeAsleep hands the program the sleep tag as naming.ConfigAsleep (called from
// opConfigWith, where the cluster tag is composed). The tag is the one home of the fact: a
// stack file's key is dropped, whether a person wrote it or `config refresh` restored it into
// an ad-hoc environment's missing file from a deployment that ran asleep (restoreConfig),
// which would otherwise outlive the wake. A production environment is never handed it,
// whatever its tags say: production never sleeps, and a tag that got there must not stop its
// updates (the program refuses the key there).
func composeAsleep(env string, tags map[string]string, cfg map[string]any) {
	delete(cfg, naming.ConfigAsleep)
	if tags[TagAsleep] == "" || isProduction(env, cfg) {
		return
	}
	cfg[naming.ConfigAsleep] = "true"
}

// isProduction: prod, or a stack its config makes production (naming.ConfigProduction).
func isProduction(env string, cfg map[string]any) bool {
	if kind, err := naming.ClassifyStack(env); err == nil && kind == naming.StackProduction {
		return true
	}
	production, _ := strconv.ParseBool(fmt.Sprint(cfg[naming.ConfigProduction]))
	return production
}

// SleepState reads env's sleep tags.
func (r *Runner) SleepState(ctx context.Context, env string) (SleepState, error) {
	st, err := r.selectStack(ctx, env)
	if err != nil {
		return SleepState{}, err
	}
	tags, err := st.ListTags(ctx)
	if err != nil {
		return SleepState{}, fmt.Errorf("reading the tags of %s: %w", env, err)
	}
	return parseSleep(tags), nil
}

// Asleep reports whether env's next update renders it asleep.
func (r *Runner) Asleep(ctx context.Context, env string) (bool, error) {
	s, err := r.SleepState(ctx, env)
	return s.Asleep != "", err
}

// checkMaySleep refuses what never sleeps: a cluster stack and a production environment.
func (r *Runner) checkMaySleep(env string) error {
	kind, err := naming.ClassifyStack(env)
	if err != nil {
		return refused(err)
	}
	if kind == naming.StackCluster || kind == naming.StackFacts {
		return refusef("%s is a cluster stack; only an environment sleeps", env)
	}
	doc, err := r.stackFileDoc(env)
	if err != nil {
		return err
	}
	cfg, _ := doc["config"].(map[string]any)
	if isProduction(env, cfg) {
		return refusef("%s is a production environment, which never sleeps", env)
	}
	return nil
}

// MarkAsleep tags env (and each module stack of a split env) asleep for why, and ends any
// keep: a sleep by hand is the latest word. It deploys nothing: the next update renders the
// environment asleep, or the sleeper scales it down at once (package sleeper).
func (r *Runner) MarkAsleep(ctx context.Context, env, why string) error {
	if err := r.checkMaySleep(env); err != nil {
		return err
	}
	return r.eachStackOf(ctx, env, func(st *auto.Stack) error {
		if err := st.SetTag(ctx, TagAsleep, why); err != nil {
			return fmt.Errorf("recording that %s sleeps: %w", st.Name(), err)
		}
		return removeTag(ctx, st, TagKeep)
	})
}

// MarkScaled records that the sleeper is about to scale env down outside an update
// (TagScaled), before it does, so that a sleep cut short still has its wake release it.
func (r *Runner) MarkScaled(ctx context.Context, env string) error {
	st, err := r.selectStack(ctx, env)
	if err != nil {
		return err
	}
	if err := st.SetTag(ctx, TagScaled, "true"); err != nil {
		return fmt.Errorf("recording the sleeper's scaling of %s: %w", env, err)
	}
	return nil
}

// WakeOptions say what a wake records beside removing the sleep.
type WakeOptions struct {
	// TTL renews an ad-hoc environment's expiry to now+TTL, when that is later: its TTL
	// counts from the last wake. Zero leaves it.
	TTL time.Duration
	// Keep holds the environment awake until its next sleep by hand.
	Keep bool
	// Scheduled: the schedule wakes it (`wake --due`), not a person, so it records no
	// TagWoken: a preview nobody uses is not kept alive by its mornings.
	Scheduled bool
}

// MarkAwake removes env's sleep tag, records the wake's time and renews its TTL.
func (r *Runner) MarkAwake(ctx context.Context, env string, o WakeOptions) error {
	now := r.opts.Now().UTC().Truncate(time.Second)
	return r.eachStackOf(ctx, env, func(st *auto.Stack) error {
		for _, tag := range []string{TagAsleep, TagScaled} {
			if err := removeTag(ctx, st, tag); err != nil {
				return err
			}
		}
		if o.Scheduled {
			return nil
		}
		if err := st.SetTag(ctx, TagWoken, now.Format(time.RFC3339)); err != nil {
			return fmt.Errorf("recording the wake of %s: %w", st.Name(), err)
		}
		if o.Keep {
			if err := st.SetTag(ctx, TagKeep, "true"); err != nil {
				return fmt.Errorf("recording the keep of %s: %w", st.Name(), err)
			}
		}
		if o.TTL <= 0 || naming.EnvironmentOf(st.Name()) != st.Name() {
			return nil
		}
		m, err := r.meta(ctx, st)
		if err != nil || m.Expires.IsZero() || !m.Expires.Before(now.Add(o.TTL)) {
			return err
		}
		m.Expires = now.Add(o.TTL)
		return r.setMeta(ctx, st, m)
	})
}

// eachStackOf runs f on env's stack and on each module stack of it (env_split.go), which
// its updates render from the same config. A long-lived environment that was never deployed
// gets its stack here, as its first up would make it.
func (r *Runner) eachStackOf(ctx context.Context, env string, f func(*auto.Stack) error) error {
	st, err := r.selectStack(ctx, env)
	if IsNotFound(err) && IsProtected(env) {
		st, err = r.newStack(ctx, env)
	}
	if err != nil {
		return err
	}
	if err := f(&st); err != nil {
		return err
	}
	list, err := r.wsFor(env).ListStacks(ctx)
	if err != nil {
		return fmt.Errorf("listing the module stacks of %s: %w", env, err)
	}
	for _, s := range list {
		if base, _, ok := naming.SplitModuleStack(s.Name); !ok || base != env {
			continue
		}
		mst, err := r.selectStack(ctx, s.Name)
		if err != nil {
			return err
		}
		if err := f(&mst); err != nil {
			return err
		}
	}
	return nil
}

func removeTag(ctx context.Context, st *auto.Stack, tag string) error {
	tags, err := st.ListTags(ctx)
	if err != nil {
		return fmt.Errorf("reading the tags of %s: %w", st.Name(), err)
	}
	if _, ok := tags[tag]; !ok {
		return nil
	}
	if err := st.RemoveTag(ctx, tag); err != nil {
		return fmt.Errorf("removing %s of %s: %w", tag, st.Name(), err)
	}
	return nil
}

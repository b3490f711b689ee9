package naming

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// tuple is one generated set of name parts.
type tuple struct{ env, space, module, component, event, fromSpace, fromModule string }

// gen draws parts from the grammar of parts.go. Half of the parts come from a tiny alphabet of
// short words, so that different tuples often join into look-alike strings (the "pr-a" + "b"
// versus "pr" + "a-b" kind of ambiguity the grammar must rule out); the other half are long,
// up to twice the part limits, so that every name is also exercised past its target's limit.
type gen struct{ r *rand.Rand }

func (g gen) word(maxLen int) string {
	if g.r.IntN(2) == 0 {
		short := []string{"a", "b", "ab", "pr", "x1", "qa"}
		return short[g.r.IntN(len(short))]
	}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	const alnum = letters + "0123456789"
	n := 1 + g.r.IntN(2*maxLen)
	var b strings.Builder
	b.WriteByte(letters[g.r.IntN(len(letters))])
	for b.Len() < n {
		b.WriteByte(alnum[g.r.IntN(len(alnum))])
	}
	return b.String()
}

func (g gen) dashed(maxLen int) string {
	parts := []string{g.word(maxLen)}
	for g.r.IntN(3) == 0 {
		w := g.word(maxLen / 2)
		if g.r.IntN(2) == 0 {
			w = "123"[:1+g.r.IntN(3)] // a word may start with a digit after a dash (pr-123)
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, "-")
}

func (g gen) tuple() tuple {
	env := g.dashed(MaxEnvironmentLen)
	for strings.HasPrefix(env, "goog") {
		env = g.dashed(MaxEnvironmentLen)
	}
	return tuple{
		env: env, space: g.word(MaxSpaceLen), module: g.word(MaxModuleLen),
		component: g.dashed(MaxComponentLen), event: g.dashed(MaxEventLen),
		fromSpace: g.word(MaxSpaceLen), fromModule: g.word(MaxModuleLen),
	}
}

// TestNamesAreInjectiveAndValid generates at least 100,000 tuples and checks, for every kind of
// name, that no two distinct inputs of that kind share a name and that every name is valid
// for its target.
func TestNamesAreInjectiveAndValid(t *testing.T) {
	const n = 100_000
	type kind struct {
		name   string
		target Target
		key    func(tuple) string // the inputs the name depends on
		make   func(tuple) string
	}
	kinds := []kind{
		{"namespace", TargetKubernetesLabel, func(u tuple) string { return u.env + "|" + u.space },
			func(u tuple) string { return Namespace(u.env, u.space) }},
		{"workload", TargetKubernetesSvc, func(u tuple) string { return u.module + "|" + u.component },
			func(u tuple) string { return Workload(u.module, u.component) }},
		{"cronjob", TargetCronJob, func(u tuple) string { return u.module + "|" + u.component },
			func(u tuple) string { return CronJob(u.module, u.component) }},
		{"kubernetes service account", TargetKubernetesLabel, func(u tuple) string { return u.module },
			func(u tuple) string { return KubernetesServiceAccount(u.module) }},
		{"database secret", TargetKubernetesLabel, func(u tuple) string { return u.module },
			func(u tuple) string { return DatabaseSecret(u.module) }},
		{"database", TargetPostgres, func(u tuple) string { return u.env + "|" + u.module },
			func(u tuple) string { return Database(u.env, u.module) }},
		{"topic", TargetPubSub, func(u tuple) string { return u.env + "|" + u.space + "|" + u.module + "|" + u.event },
			func(u tuple) string { return Topic(u.env, u.space, u.module, u.event) }},
		{"subscription", TargetPubSub,
			func(u tuple) string {
				return strings.Join([]string{u.env, u.space, u.module, u.fromSpace, u.fromModule, u.event}, "|")
			},
			func(u tuple) string {
				return Subscription(u.env, u.space, u.module, u.fromSpace, u.fromModule, u.event)
			}},
		{"dead-letter topic", TargetPubSub,
			func(u tuple) string {
				return strings.Join([]string{u.env, u.space, u.module, u.fromSpace, u.fromModule, u.event}, "|")
			},
			func(u tuple) string {
				return DeadLetterTopic(u.env, u.space, u.module, u.fromSpace, u.fromModule, u.event)
			}},
		{"gcp service account", TargetServiceAccount, func(u tuple) string { return u.env + "|" + u.module },
			func(u tuple) string { return ServiceAccountID(u.env, u.module) }},
	}
	seen := make([]map[string]string, len(kinds)) // name -> the inputs that produced it
	for i := range seen {
		seen[i] = make(map[string]string, n)
	}
	// Topics and dead-letter topics share Pub/Sub's topic namespace, so they must not collide
	// with each other either.
	topicNames := map[string]string{}

	g := gen{rand.New(rand.NewPCG(1, 2))}
	for range n {
		u := g.tuple()
		for i, k := range kinds {
			name, key := k.make(u), k.key(u)
			if prev, ok := seen[i][name]; ok && prev != key {
				t.Fatalf("%s %q is produced by two inputs: %q and %q", k.name, name, prev, key)
			}
			seen[i][name] = key
			if errs := ValidateName(k.target, name); len(errs) > 0 {
				t.Fatalf("%s %q from %+v is not a valid %s: %v", k.name, name, u, k.target, errs)
			}
			if k.target == TargetPubSub && k.name != "subscription" {
				tk := k.name + "|" + key
				if prev, ok := topicNames[name]; ok && prev != tk {
					t.Fatalf("topic name %q is produced by %q and %q", name, prev, tk)
				}
				topicNames[name] = tk
			}
		}
		for key, v := range KubernetesLabels(Scope{u.env, u.space, u.module, u.component, "", "", ""}) {
			if errs := ValidateName(TargetLabelValue, v); len(errs) > 0 {
				t.Fatalf("label %s=%q is not a valid label value: %v", key, v, errs)
			}
		}
		for key, v := range GCPLabels(Scope{u.env, u.space, u.module, u.component, u.event, u.fromSpace, u.fromModule}) {
			if errs := ValidateName(TargetGCPLabelValue, v); len(errs) > 0 {
				t.Fatalf("GCP label %s=%q is not valid: %v", key, v, errs)
			}
		}
	}
	// The generator must actually have produced both look-alike and over-long inputs,
	// otherwise the test proves little.
	if len(seen[0]) < n/10 {
		t.Fatalf("only %d distinct namespaces from %d tuples: the generator is too narrow", len(seen[0]), n)
	}
}

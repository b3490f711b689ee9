// Package workflows checks the shipped GitHub workflows for what keeps the trust tiers apart
// (naming.Tier): a pull request's jobs hold only the ad-hoc tier's GitHub environment and
// variables, which no job of the long-lived or production tier holds; the job that runs a
// pull request's code holds no GITHUB_TOKEN; the offline policy check holds nothing; every
// job reaches Google Cloud through workload identity federation as its environment's tier,
// prod is planned by a read-only identity and applied only in the reviewed environment.
//
// On pull_request GitHub runs the pull request's own version of these files, so they are not
// the wall: the bootstrap stack's identity providers are (stacks/bootstrap). These tests keep
// the shipped workflows from asking for more than those walls would give them.
package workflows

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/naming"
)

type workflow struct {
	On          map[string]any    `yaml:"on"`
	Permissions any               `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]job    `yaml:"jobs"`
}

type job struct {
	Environment any               `yaml:"environment"`
	Permissions any               `yaml:"permissions"`
	Needs       any               `yaml:"needs"`
	Env         map[string]string `yaml:"env"`
	Steps       []step            `yaml:"steps"`
}

type step struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

func load(t *testing.T, name string) workflow {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return w
}

func workflowFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", ".github", "workflows", "*.yml"))
	if err != nil || len(files) < 4 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	return names
}

var (
	// ternary is the one expression the workflows choose a tier's values with:
	// ${{ <condition> && <if true> || <if false> }}.
	ternary = regexp.MustCompile(`^\$\{\{\s*(.+?)\s+&&\s+(.+?)\s+\|\|\s+(.+?)\s*\}\}$`)
	literal = regexp.MustCompile(`^'([^']*)'$`)
	ref     = regexp.MustCompile(`\b(vars|secrets)\.([A-Za-z0-9_]+)`)
	token   = regexp.MustCompile(`github\.token|GITHUB_TOKEN`)
)

// branch is what a job holds when each of its conditions has one value: the jobs choose a
// tier with ternaries on one condition (the promotion's target, the matrix's tier), so every
// combination of its conditions is one way the job can run.
type branch struct {
	// environment is the GitHub environment, "" for none.
	environment string
	// refs are the variables and secrets it reads, "vars.X" or "secrets.X".
	refs map[string]bool
	// accounts are the service accounts of its auth steps, as refs.
	accounts []string
	// providers are the workload identity providers of its auth steps, as refs.
	providers []string
}

// values are every string of a job that may name a credential, the workflow's env too.
func (j job) values(w workflow) []string {
	var out []string
	if env, ok := j.Environment.(string); ok {
		out = append(out, env)
	}
	if m, ok := j.Environment.(map[string]any); ok {
		name, _ := m["name"].(string)
		out = append(out, name)
	}
	for _, env := range []map[string]string{w.Env, j.Env} {
		for _, v := range env {
			out = append(out, v)
		}
	}
	for _, s := range j.Steps {
		out = append(out, s.Run)
		for _, m := range []map[string]string{s.With, s.Env} {
			for _, v := range m {
				out = append(out, v)
			}
		}
	}
	return out
}

// branches enumerates what j holds under every combination of its conditions.
func (j job) branches(t *testing.T, w workflow) []branch {
	t.Helper()
	var conds []string
	for _, v := range j.values(w) {
		if m := ternary.FindStringSubmatch(strings.TrimSpace(v)); m != nil && !slices.Contains(conds, m[1]) {
			conds = append(conds, m[1])
		}
	}
	var out []branch
	for mask := 0; mask < 1<<len(conds); mask++ {
		truth := map[string]bool{}
		for i, c := range conds {
			truth[c] = mask&(1<<i) != 0
		}
		resolve := func(v string) string {
			m := ternary.FindStringSubmatch(strings.TrimSpace(v))
			if m == nil {
				return v
			}
			pick := m[3]
			if truth[m[1]] {
				pick = m[2]
			}
			if l := literal.FindStringSubmatch(pick); l != nil {
				return l[1]
			}
			return pick
		}
		b := branch{refs: map[string]bool{}}
		switch env := j.Environment.(type) {
		case string:
			b.environment = resolve(env)
		case map[string]any:
			name, _ := env["name"].(string)
			b.environment = resolve(name)
		}
		for _, v := range j.values(w) {
			for _, m := range ref.FindAllString(resolve(v), -1) {
				b.refs[m] = true
			}
		}
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "google-github-actions/auth@") {
				b.accounts = append(b.accounts, strings.Join(ref.FindAllString(resolve(s.With["service_account"]), -1), " "))
				b.providers = append(b.providers, strings.Join(ref.FindAllString(resolve(s.With["workload_identity_provider"]), -1), " "))
			}
		}
		out = append(out, b)
	}
	return out
}

// names are the environments, variables and secrets a set of branches uses.
func names(bs []branch) map[string]bool {
	out := map[string]bool{}
	for _, b := range bs {
		if b.environment != "" {
			out["environment "+b.environment] = true
		}
		for r := range b.refs {
			out[r] = true
		}
	}
	return out
}

// tierOfEnvironment is the tier whose GitHub environment env is, compared exactly. The
// sleeper's is the long-lived tier's, with an account of its own (holds).
func tierOfEnvironment(env string) (naming.Tier, bool) {
	if env == naming.GitHubEnvSleeper {
		return naming.TierLongLived, true
	}
	for _, tier := range naming.Tiers() {
		if slices.Contains(naming.GitHubEnvironments(tier), env) {
			return tier, true
		}
	}
	return "", false
}

// TestPullRequestsUseOnlyTheAdHocTier: no environment, secret or variable that the
// pull-request workflow uses is used by main.yml, promote.yml, or a nightly job of the
// long-lived or production tier; environment names compared exactly ("nonprod" is not
// "prod"). The pull request's own names are all the ad-hoc tier's.
func TestPullRequestsUseOnlyTheAdHocTier(t *testing.T) {
	pr := load(t, "pull-request.yml")
	if _, ok := pr.On["pull_request_target"]; ok {
		t.Errorf("pull-request.yml runs on pull_request_target, which hands a pull request's code the base's secrets")
	}
	var prBranches []branch
	for _, j := range pr.Jobs {
		prBranches = append(prBranches, j.branches(t, pr)...)
	}
	adhoc := names(prBranches)
	for n := range adhoc {
		if !ownedByAdHoc(n) {
			t.Errorf("pull-request.yml uses %s, which is not the ad-hoc tier's", n)
		}
	}

	upper := map[string]string{}
	for _, file := range []string{"main.yml", "promote.yml", "nightly.yml"} {
		w := load(t, file)
		for name, j := range w.Jobs {
			bs := j.branches(t, w)
			if file == "nightly.yml" && onlyAdHoc(bs) {
				continue // the collection of expired ad-hoc environments
			}
			for n := range names(bs) {
				upper[n] = file + "/" + name
			}
		}
	}
	if len(upper) == 0 {
		t.Fatal("no job of the long-lived or production tier found")
	}
	for n := range adhoc {
		if where, ok := upper[n]; ok {
			t.Errorf("pull-request.yml and %s both use %s", where, n)
		}
	}
}

// ownedByAdHoc reports whether a name from names() is the ad-hoc tier's.
func ownedByAdHoc(n string) bool {
	if env, ok := strings.CutPrefix(n, "environment "); ok {
		return env == naming.GitHubEnvAdHoc
	}
	for _, v := range naming.CIVariables(naming.TierAdHoc) {
		if n == "vars."+v.Name {
			return true
		}
	}
	return false
}

func onlyAdHoc(bs []branch) bool {
	for _, b := range bs {
		if b.environment != naming.GitHubEnvAdHoc {
			return false
		}
	}
	return true
}

// TestEveryJobHoldsItsEnvironmentsTier: a job reads only the variables of its GitHub
// environment's tier (compared exactly), no secret at all (the bootstrap's outputs are
// names, the walls are IAM), and a job without an environment reads none. It authenticates
// to Google Cloud by workload identity federation (no key) as its tier's identity: in
// prod-plan the read-only planner, only in prod (required reviewers) production's deployer.
// A production job may also read the long-lived tier's backend and key (a promotion reads
// staging), never the other way round.
func TestEveryJobHoldsItsEnvironmentsTier(t *testing.T) {
	for _, file := range workflowFiles(t) {
		w := load(t, file)
		for name, j := range w.Jobs {
			for _, b := range j.branches(t, w) {
				where := file + "/" + name
				if b.environment != "" {
					where += " in " + b.environment
				}
				if _, ok := tierOfEnvironment(b.environment); !ok && b.environment != "" {
					t.Errorf("%s: %q is no tier's GitHub environment (%v)", where, b.environment, knownEnvironments())
				}
				allowed, account, provider := holds(b.environment)
				for r := range b.refs {
					if !allowed[r] {
						t.Errorf("%s reads %s, which is not its tier's", where, r)
					}
				}
				for i := range b.accounts {
					if b.accounts[i] != account || b.providers[i] != provider {
						t.Errorf("%s authenticates as %q through %q, want %q through %q", where, b.accounts[i], b.providers[i], account, provider)
					}
					if !hasPermission(w.Permissions, "id-token") && !hasPermission(j.Permissions, "id-token") {
						t.Errorf("%s authenticates without id-token: write", where)
					}
				}
				for _, s := range j.Steps {
					if _, ok := s.With["credentials_json"]; ok {
						t.Errorf("%s authenticates with a service account key", where)
					}
				}
			}
		}
	}
}

func knownEnvironments() []string {
	out := []string{naming.GitHubEnvSleeper}
	for _, tier := range naming.Tiers() {
		out = append(out, naming.GitHubEnvironments(tier)...)
	}
	return out
}

// holds is what a job in GitHub environment env may read, and the identity it
// authenticates as.
func holds(env string) (allowed map[string]bool, account, provider string) {
	allowed = map[string]bool{}
	tier, ok := tierOfEnvironment(env)
	if !ok {
		return allowed, "", ""
	}
	for _, v := range naming.CIVariables(tier) {
		allowed["vars."+v.Name] = v.Kind != naming.CIServiceAccount
	}
	account = "vars." + naming.CIVariable(naming.CIServiceAccount, tier)
	if env == naming.GitHubEnvProdPlan {
		account = "vars." + naming.CIProdPlanner
	}
	if env == naming.GitHubEnvSleeper {
		account = "vars." + naming.CISleeper
	}
	allowed[account] = true
	if tier == naming.TierProduction {
		for _, kind := range []string{naming.CIBackend, naming.CISecretsProvider} {
			allowed["vars."+naming.CIVariable(kind, naming.TierLongLived)] = true
		}
	}
	return allowed, account, "vars." + naming.CIVariable(naming.CIWorkloadIdentityProvider, tier)
}

func hasPermission(p any, name string) bool {
	m, ok := p.(map[string]any)
	return ok && m[name] == "write"
}

// TestThePullRequestsCodeHoldsNoGitHubToken: a job that runs the pull request's code (any
// job that does not check out the base commit) has no GITHUB_TOKEN in its env and may write
// nothing on GitHub; the comment is posted by a job that checks out the base commit, builds
// conveyor from it, and posts the file the preview job uploaded.
func TestThePullRequestsCodeHoldsNoGitHubToken(t *testing.T) {
	w := load(t, "pull-request.yml")
	for k, v := range w.Env {
		if token.MatchString(k + v) {
			t.Errorf("the workflow's env hands every job the token: %s", k)
		}
	}
	posters := 0
	for name, j := range w.Jobs {
		base := false
		for _, s := range j.Steps {
			base = base || strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["ref"] == "${{ github.event.pull_request.base.sha }}"
		}
		writes := permissionsWritten(j.Permissions)
		if base {
			for _, s := range j.Steps {
				if strings.Contains(s.Run, " comment --env") && strings.Contains(s.Run, "--body") && strings.Contains(s.Run, "--post") {
					posters++
				}
			}
			continue
		}
		if slices.ContainsFunc(writes, func(p string) bool { return p != "id-token" }) {
			t.Errorf("%s runs the pull request's code and may write %v on GitHub", name, writes)
		}
		for k, v := range j.Env {
			if token.MatchString(k + v) {
				t.Errorf("%s runs the pull request's code with the token in its env (%s)", name, k)
			}
		}
		for _, s := range j.Steps {
			for k, v := range s.Env {
				if token.MatchString(k + v) {
					t.Errorf("%s runs the pull request's code with the token in a step's env (%s)", name, k)
				}
			}
			if strings.Contains(s.Run, "--post") {
				t.Errorf("%s runs the pull request's code and posts: %s", name, s.Run)
			}
		}
	}
	if posters != 1 {
		t.Errorf("%d jobs that run none of the pull request's code post the comment, want 1", posters)
	}
}

func permissionsWritten(p any) []string {
	m, _ := p.(map[string]any)
	var out []string
	for k, v := range m {
		if v == "write" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// TestOfflinePolicyCheckHoldsNothing: the check a pull request runs first evaluates the
// program under mocks; it holds no environment, variable, secret or identity.
func TestOfflinePolicyCheckHoldsNothing(t *testing.T) {
	w := load(t, "pull-request.yml")
	validate, ok := w.Jobs["validate"]
	if !ok {
		t.Fatal("no validate job")
	}
	if n := names(validate.branches(t, w)); len(n) > 0 || hasPermission(validate.Permissions, "id-token") {
		t.Errorf("the offline policy check holds %v", n)
	}
	found := false
	for _, s := range validate.Steps {
		found = found || strings.Contains(s.Run, `policy check --env "$ENVIRONMENT" --levels-of dev`)
	}
	if !found {
		t.Errorf("the validate job does not check the policy at dev's levels")
	}
}

// TestProductionIsAppliedOnlyFromAReviewedPlan: production's deployer is held only by jobs
// in the prod environment (required reviewers), each of which applies a saved plan and
// needs the job that made it.
func TestProductionIsAppliedOnlyFromAReviewedPlan(t *testing.T) {
	deployer := "vars." + naming.CIVariable(naming.CIServiceAccount, naming.TierProduction)
	seen := 0
	for _, file := range workflowFiles(t) {
		w := load(t, file)
		for name, j := range w.Jobs {
			for _, b := range j.branches(t, w) {
				if !b.refs[deployer] {
					continue
				}
				seen++
				if b.environment != naming.GitHubEnvProd || j.Needs == nil {
					t.Errorf("%s/%s holds production's deployer in %q (needs %v)", file, name, b.environment, j.Needs)
				}
				for _, s := range j.Steps {
					if strings.Contains(s.Run, "conveyor up") && !strings.Contains(s.Run, "--plan ") {
						t.Errorf("%s/%s updates prod without a saved plan: %s", file, name, s.Run)
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Error("no job applies prod")
	}
}

// TestTheLongLivedTierPublishesTheClusterFacts: main's pipeline, in the long-lived tier's
// GitHub environment and as its identity, publishes cluster-nonprod's facts into the ad-hoc
// backend named by the long-lived tier's own variables (naming.CIFactsBackend); no job of a
// pull request publishes them or holds those variables.
func TestTheLongLivedTierPublishesTheClusterFacts(t *testing.T) {
	w := load(t, "main.yml")
	facts := map[string]string{
		"CONVEYOR_FACTS_BACKEND_URL":      "${{ vars." + naming.CIVariable(naming.CIFactsBackend, naming.TierLongLived) + " }}",
		"CONVEYOR_FACTS_SECRETS_PROVIDER": "${{ vars." + naming.CIVariable(naming.CIFactsSecretsProvider, naming.TierLongLived) + " }}",
	}
	publishers := 0
	for name, j := range w.Jobs {
		for _, s := range j.Steps {
			if !strings.Contains(s.Run, "conveyor cluster-facts --cluster "+naming.NonprodCluster) {
				continue
			}
			publishers++
			if j.Environment != naming.GitHubEnvLongLived {
				t.Errorf("main.yml/%s publishes the facts in %v, want %s", name, j.Environment, naming.GitHubEnvLongLived)
			}
			for k, v := range facts {
				if j.Env[k] != v && s.Env[k] != v {
					t.Errorf("main.yml/%s publishes with %s=%q, want %q", name, k, j.Env[k]+s.Env[k], v)
				}
			}
		}
	}
	if publishers != 1 {
		t.Errorf("%d jobs of main.yml publish cluster-nonprod's facts, want 1", publishers)
	}
	pr := load(t, "pull-request.yml")
	for name, j := range pr.Jobs {
		for _, s := range j.Steps {
			if strings.Contains(s.Run, "cluster-facts") {
				t.Errorf("pull-request.yml/%s publishes cluster facts", name)
			}
		}
	}
}

package stackops

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

func TestModuleURNs(t *testing.T) {
	const p = "urn:pulumi:dev::conveyor::"
	stack := p + "pulumi:pulumi:Stack::conveyor-dev"
	quotes := p + "conveyor:platform:Module::quotes"
	quotesAPI := p + "conveyor:platform:Module$conveyor:platform:Component::quotes-api"
	quotesDeploy := p + "conveyor:platform:Module$conveyor:platform:Component$kubernetes:apps/v1:Deployment::quotes-api"
	policies := p + "conveyor:platform:Module::policies"
	policiesAPI := p + "conveyor:platform:Module$conveyor:platform:Component::policies-api"
	// A component named like a module but of another type is not a module.
	impostor := p + "conveyor:platform:Space::quotes"
	res := []apitype.ResourceV3{
		{URN: resource.URN(stack), Type: "pulumi:pulumi:Stack"},
		{URN: resource.URN(quotes), Type: naming.TypeModule, Parent: resource.URN(stack)},
		{URN: resource.URN(policies), Type: naming.TypeModule, Parent: resource.URN(stack)},
		{URN: resource.URN(policiesAPI), Type: "conveyor:platform:Component", Parent: resource.URN(policies)},
		{URN: resource.URN(quotesAPI), Type: "conveyor:platform:Component", Parent: resource.URN(quotes)},
		{URN: resource.URN(quotesDeploy), Type: "kubernetes:apps/v1:Deployment", Parent: resource.URN(quotesAPI)},
		{URN: resource.URN(quotesDeploy), Type: "kubernetes:apps/v1:Deployment", Parent: resource.URN(quotesAPI), Delete: true},
		{URN: resource.URN(impostor), Type: "conveyor:platform:Space", Parent: resource.URN(stack)},
	}
	data, err := json.Marshal(apitype.DeploymentV3{Resources: res})
	if err != nil {
		t.Fatal(err)
	}
	state := apitype.UntypedDeployment{Version: 3, Deployment: data}
	tests := []struct {
		module string
		want   []string
	}{
		{"quotes", []string{quotes, quotesAPI, quotesDeploy}},
		{"policies", []string{policies, policiesAPI}},
		{"claims", nil},
	}
	for _, tt := range tests {
		t.Run(tt.module, func(t *testing.T) {
			got, err := ModuleURNs(state, tt.module)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
	if got, err := ModuleURNs(apitype.UntypedDeployment{}, "quotes"); err != nil || got != nil {
		t.Errorf("empty state: %v %v", got, err)
	}
}

func TestSettingsFromEnv(t *testing.T) {
	home := t.TempDir()
	file := filepath.Join(t.TempDir(), "passphrase")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		env            map[string]string
		wantBackend    string
		wantPassphrase string
		wantSetup      string // part of the SetupError's message
	}{
		{"defaults to a file backend in the home directory", map[string]string{"HOME": home, "PULUMI_CONFIG_PASSPHRASE": "p"},
			"file://" + filepath.ToSlash(filepath.Join(home, ".conveyor", "state")), "p", ""},
		{"backend from the environment", map[string]string{"PULUMI_BACKEND_URL": "gs://bucket/state", "PULUMI_CONFIG_PASSPHRASE": "p"},
			"gs://bucket/state", "p", ""},
		{"passphrase file", map[string]string{"PULUMI_BACKEND_URL": "file:///x", "PULUMI_CONFIG_PASSPHRASE_FILE": file},
			"file:///x", "from-file", ""},
		{"no passphrase", map[string]string{"PULUMI_BACKEND_URL": "file:///x"},
			"", "", "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE)"},
		{"unreadable passphrase file", map[string]string{"PULUMI_BACKEND_URL": "file:///x", "PULUMI_CONFIG_PASSPHRASE_FILE": filepath.Join(home, "nope")},
			"", "", "PULUMI_CONFIG_PASSPHRASE_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := SettingsFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantSetup != "" {
				if !IsSetup(err) || !strings.Contains(err.Error(), tt.wantSetup) {
					t.Fatalf("err = %v, want a setup error saying %q", err, tt.wantSetup)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.BackendURL != tt.wantBackend || s.Passphrase != tt.wantPassphrase {
				t.Errorf("got %+v", s)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(home, ".conveyor", "state")); err != nil {
		t.Errorf("the default backend directory was not created: %v", err)
	}
}

func TestEnvNames(t *testing.T) {
	tests := []struct {
		env       string
		protected bool
		valid     bool
		cluster   string
	}{
		{"prod", true, true, "cluster-prod"},
		{"staging", true, true, "cluster-nonprod"},
		{"dev", true, true, "cluster-nonprod"},
		{"local", true, true, "local"},
		{"cluster-nonprod", true, true, ""},
		{"local-ana", true, true, "local"},
		{"pr-123", false, true, "cluster-nonprod"},
		// Invalid names count as protected: nothing is collected by mistake.
		{"PR-1", true, false, ""},
		{"goog-1", true, false, ""},
		{"a-very-long-environment-name", true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			if got := IsProtected(tt.env); got != tt.protected {
				t.Errorf("IsProtected = %v", got)
			}
			if err := ValidateEnv(tt.env); (err == nil) != tt.valid {
				t.Errorf("ValidateEnv = %v", err)
			}
			if tt.valid {
				if got := DefaultCluster(tt.env); got != tt.cluster {
					t.Errorf("DefaultCluster = %q", got)
				}
				if err := validateAdhoc(tt.env); (err == nil) == tt.protected {
					t.Errorf("validateAdhoc = %v", err)
				}
			}
		})
	}
}

func TestMetaTags(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	m := Meta{Created: now, Expires: now.Add(72 * time.Hour), From: "dev", CreatedBy: "ci", Cluster: "cluster-nonprod"}
	back, err := parseMeta(m.tags())
	if err != nil || back != m {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	tests := []struct {
		at   time.Duration
		want bool
	}{{71 * time.Hour, false}, {72 * time.Hour, true}, {100 * time.Hour, true}}
	for _, tt := range tests {
		if got := m.Expired(now.Add(tt.at)); got != tt.want {
			t.Errorf("Expired at +%s = %v", tt.at, got)
		}
	}
	if (Meta{}).Expired(now) {
		t.Error("no TTL expired")
	}
	if _, err := parseMeta(map[string]string{TagExpires: "tomorrow"}); err == nil {
		t.Error("a bad time parsed")
	}
}

// errLocked mimics what the Automation API returns when the DIY backend's lock is held.
var errLocked = errors.New("failed to run update: exit status 255\ncode: 255\nstdout: \nstderr: error: the stack is currently locked by 1 lock(s). " +
	"Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
	"  file:///x/.pulumi/locks/organization/conveyor/dev/1.json: created by ci@runner-7 (pid 42) at 2026-11-02T09:00:00Z\n")

func TestWithLockRetry(t *testing.T) {
	policy := RetryPolicy{Initial: time.Millisecond, Max: 4 * time.Millisecond, GiveUpAfter: 200 * time.Millisecond}
	other := errors.New("compilation failed")
	tests := []struct {
		name        string
		failures    int   // lock errors before the outcome
		outcome     error // after the failures
		wantRetries int
		wantLockErr bool
		wantErr     error
	}{
		{"free stack", 0, nil, 0, false, nil},
		{"locked twice, then free", 2, nil, 2, false, nil},
		{"another error is not retried", 0, other, 0, false, other},
		{"locked for good", 1 << 30, nil, -1, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, waits := 0, 0
			retries, err := withLockRetry(context.Background(), policy, "dev", func(time.Duration, string) { waits++ }, func() error {
				calls++
				if calls <= tt.failures {
					return errLocked
				}
				return tt.outcome
			})
			var le *LockError
			if tt.wantLockErr {
				if !errors.As(err, &le) || le.Holder != "ci@runner-7 (pid 42) at 2026-11-02T09:00:00Z" {
					t.Fatalf("err = %v, want a LockError naming the holder", err)
				}
				if !strings.Contains(le.Error(), "pulumi cancel --stack dev") {
					t.Errorf("message does not say how to remove a stale lock: %s", le)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || retries != tt.wantRetries || waits != tt.wantRetries {
				t.Errorf("retries %d waits %d err %v; want %d, %v", retries, waits, err, tt.wantRetries, tt.wantErr)
			}
		})
	}
}

func TestReadPlan(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const urn = "urn:pulumi:prod::conveyor::conveyor:platform:Module::quotes"
	tests := []struct {
		name    string
		content string
		want    opRecord
		wantErr bool
	}{
		{"request", `{"config":{"conveyor:deploy":{"quotes":{"api":"q:7"}},"conveyor:x":"y"}}`, opRecord{Request: deployed.Images{"quotes": {"api": "q:7"}}}, false},
		{"request as JSON text", `{"config":{"conveyor:deploy":"{\"quotes\":{\"api\":\"q:7\"}}"}}`, opRecord{Request: deployed.Images{"quotes": {"api": "q:7"}}}, false},
		{"targets as JSON text", `{"config":{"conveyor:targets":"[\"` + urn + `\"]"}}`, opRecord{Request: deployed.Images{}, Targets: []string{urn}}, false},
		{"targets", `{"config":{"conveyor:targets":["` + urn + `"]}}`, opRecord{Request: deployed.Images{}, Targets: []string{urn}}, false},
		{"no request", `{"config":{"conveyor:images":{"quotes":{"api":"q:1"}}}}`, opRecord{Request: deployed.Images{}}, false},
		{
			"a promotion's change record",
			`{"config":{"conveyor:deploy":{"quotes":{"api":"q:7"}},"conveyor:change":"{\"operation\":\"promote\",\"from\":\"staging\",\"sources\":{\"q:7\":{\"commit\":\"abc\",\"time\":\"2026-12-01T10:00:00Z\"}}}"}}`,
			opRecord{
				Request: deployed.Images{"quotes": {"api": "q:7"}},
				Change:  &Change{Operation: OperationPromote, From: "staging", Sources: map[string]Source{"q:7": {Commit: "abc", Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}}},
			},
			false,
		},
		{"targets not a list", `{"config":{"conveyor:targets":"quotes"}}`, opRecord{}, true},
		{"a broken change record", `{"config":{"conveyor:change":"{"}}`, opRecord{}, true},
		{"not a plan", `[1,2]`, opRecord{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readPlan(write(tt.name, tt.content))
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want one: %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); err == nil && diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestConciseError(t *testing.T) {
	if got := conciseError(errLocked); !strings.HasPrefix(got, "the stack is currently locked") {
		t.Errorf("from stderr: %q", got)
	}
	withStdout := errors.New("failed to run update: exit status 1\ncode: 1\nstdout: Updating (dev):\n    error: boom\n\nstderr: \n")
	if got := conciseError(withStdout); got != "boom" {
		t.Errorf("from stdout: %q", got)
	}
	if got := conciseError(errors.New("plain")); got != "plain" {
		t.Errorf("plain: %q", got)
	}
}

func TestImageDiff(t *testing.T) {
	tests := []struct {
		name     string
		from, to deployed.Images
		want     string
	}{
		{"same", deployed.Images{"quotes": {"api": "q:1"}}, deployed.Images{"quotes": {"api": "q:1"}}, ""},
		{"changed and new", deployed.Images{"quotes": {"api": "q:1"}}, deployed.Images{"quotes": {"api": "q:2"}, "claims": {"api": "c:1"}},
			"claims/api: (none) -> c:1, quotes/api: q:1 -> q:2"},
		{"removed", deployed.Images{"quotes": {"api": "q:1", "cron": "q:1"}}, deployed.Images{"quotes": {"api": "q:1"}}, "quotes/cron: q:1 -> (none)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := imageDiff(tt.from, tt.to); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestImagesAtStartAfterADestroy: the images an update ran are its request over those the
// updates before it recorded, back to the last destroy, which leaves no record behind: a
// rollback --to an update after a destroy must not bring back an image deployed before it
// (issue 27, defect 9).
func TestImagesAtStartAfterADestroy(t *testing.T) {
	update := func(request string) auto.UpdateSummary {
		return auto.UpdateSummary{Kind: "update", Result: "succeeded", Config: auto.ConfigMap{deployed.RequestKey: {Value: request}}}
	}
	// Newest first, as the history lists them.
	updates := []auto.UpdateSummary{
		update(`{"policies":{"api":"policies:2"}}`),
		{Kind: "destroy", Result: "succeeded"},
		{Kind: "destroy", Result: "failed"},
		update(`{"quotes":{"api":"quotes:1"}}`),
	}
	tests := []struct {
		at   int
		want deployed.Images
	}{
		{0, deployed.Images{"policies": {"api": "policies:2"}}},
		{3, deployed.Images{"quotes": {"api": "quotes:1"}}},
	}
	for _, tt := range tests {
		got, err := imagesAt("pr-1", updates, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got.Deployed); diff != "" {
			t.Errorf("images at update %d (-want +got):\n%s", number(updates, tt.at), diff)
		}
	}
}

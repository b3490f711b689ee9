package stackops_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/appsecrets"
)

// secretsProgram stands in for stacks.Program: it exports what the operation's config gives
// it of the application secrets (the values as a secret output, the ad-hoc defaults' names),
// and a cluster stack exports its project.
func secretsProgram(ctx *pulumi.Context) error {
	if naming.IsClusterStack(ctx.Stack()) {
		ctx.Export("project", pulumi.String("acme-nonprod"))
		return nil
	}
	c := config.New(ctx, naming.Project)
	if v, err := c.TrySecret("appSecrets"); err == nil {
		ctx.Export("values", v)
	}
	ctx.Export("defaults", pulumi.String(c.Get("adHocSecretDefaults")))
	return nil
}

var quotesAPIKey = stackops.RequiredSecret{SecretRef: stackops.SecretRef{Module: "quotes", Name: "API_KEY"}}

func required(r ...stackops.RequiredSecret) func(string) ([]stackops.RequiredSecret, error) {
	return func(string) ([]stackops.RequiredSecret, error) { return r, nil }
}

// filesHolding lists the files under dir whose bytes contain value.
func filesHolding(t *testing.T, dir, value string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), value) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// A local environment's values: set from the command (never a file of the repository),
// encrypted by the stack's own key, kept beside its state, handed to the program as a secret,
// and required before the engine runs.
func TestLocalSecretValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	opts := env.Options(t, secretsProgram)
	opts.RequiredSecrets = required(quotesAPIKey)
	// The repository's stack file of local, which no command may change.
	const stackFile = "# local\nconfig: {}\n"
	writeStackFile(t, opts.WorkDir, "local", stackFile)
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	const value = "sk_test_9f2c1d7e5b3a4c6d8e0f"

	_, err = e.Up(ctx, "local", stackops.RunOptions{})
	var missing *stackops.MissingSecretsError
	if !errors.As(err, &missing) {
		t.Fatalf("up without the value: got %v, want a MissingSecretsError", err)
	}
	if want := "conveyor secret set --env local --module quotes API_KEY"; !strings.Contains(err.Error(), want) {
		t.Errorf("the error does not name the command to run (%s): %v", want, err)
	}
	if h, _ := e.History(ctx, "local"); len(h) != 0 {
		t.Errorf("the stopped up ran the engine: %d updates", len(h))
	}

	state, err := e.SetSecret(ctx, stackops.SecretTarget{Env: "local", SecretRef: quotesAPIKey.SecretRef}, []byte(value))
	if err != nil {
		t.Fatal(err)
	}
	if !state.Set {
		t.Errorf("set reports %+v", state)
	}
	// A fresh clone of the repository (another work directory) reads the same values: they
	// are in the backend, not in a file of the clone.
	clone := env.Options(t, secretsProgram)
	clone.RequiredSecrets = opts.RequiredSecrets
	writeStackFile(t, clone.WorkDir, "local", stackFile)
	e2, err := stackops.New(ctx, clone)
	if err != nil {
		t.Fatal(err)
	}
	list, err := e2.ListSecrets(ctx, "local", []stackops.RequiredSecret{quotesAPIKey, {SecretRef: stackops.SecretRef{Module: "quotes", Name: "OTHER"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []stackops.SecretState{
		{SecretRef: quotesAPIKey.SecretRef, Set: true, Source: stackops.SourceEnvironment},
		{SecretRef: stackops.SecretRef{Module: "quotes", Name: "OTHER"}},
	}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	mustUp(t, e2, "local")
	outs, err := e2.StackOutputs(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	if got := outs["values"]; !got.Secret || got.Value != `{"quotes":{"API_KEY":"`+value+`"}}` {
		t.Errorf("the program got values %+v, want them as a secret", got)
	}
	for _, work := range []string{opts.WorkDir, clone.WorkDir} {
		if data, _ := os.ReadFile(filepath.Join(work, "stacks", "Pulumi.local.yaml")); string(data) != stackFile {
			t.Errorf("the stack file of local changed:\n%s", data)
		}
	}
	for _, dir := range []string{strings.TrimPrefix(env.Backend, "file://"), opts.WorkDir, clone.WorkDir} {
		if files := filesHolding(t, dir, value); len(files) > 0 {
			t.Errorf("the value is in plain text in %v", files)
		}
	}

	if err := e.UnsetSecret(ctx, stackops.SecretTarget{Env: "local", SecretRef: quotesAPIKey.SecretRef}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Up(ctx, "local", stackops.RunOptions{}); !stackops.IsMissingSecrets(err) {
		t.Errorf("up after unset: got %v, want a MissingSecretsError", err)
	}
}

// secretManagerDouble is a test double of Secret Manager: secrets by project and id, each
// with its labels and versions, newest last.
type secretManagerDouble struct {
	mu      sync.Mutex
	secrets map[string]*doubleSecret
}

type doubleSecret struct {
	labels   map[string]string
	values   [][]byte
	versions []stackops.SecretVersion
}

func (d *secretManagerDouble) Versions(_ context.Context, project, id string) ([]stackops.SecretVersion, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.secrets[project+"/"+id]
	if s == nil {
		return nil, nil
	}
	var out []stackops.SecretVersion
	for i := len(s.versions) - 1; i >= 0; i-- {
		out = append(out, s.versions[i])
	}
	return out, nil
}

func (d *secretManagerDouble) AddVersion(_ context.Context, project, id string, labels map[string]string, value []byte) (stackops.SecretVersion, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.secrets == nil {
		d.secrets = map[string]*doubleSecret{}
	}
	s := d.secrets[project+"/"+id]
	if s == nil {
		s = &doubleSecret{labels: labels}
		d.secrets[project+"/"+id] = s
	}
	v := stackops.SecretVersion{ID: string(rune('0' + len(s.versions) + 1)), Enabled: true, Created: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	s.versions = append(s.versions, v)
	s.values = append(s.values, value)
	return v, nil
}

func (d *secretManagerDouble) DestroyVersions(_ context.Context, project, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.secrets[project+"/"+id]; s != nil {
		for i := range s.versions {
			s.versions[i].Enabled = false
			s.values[i] = nil
		}
	}
	return nil
}

// On GKE, values are versions of the environment's Secret Manager secrets in the cluster's
// project, labelled as the stack declares them; an ad-hoc environment reads the ad-hoc
// tier's default where its module allows it and it has none of its own, and dev never does.
func TestGCPSecretValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	sm := &secretManagerDouble{}
	opts := env.Options(t, secretsProgram)
	allowing := quotesAPIKey
	allowing.AdHocDefaults = true
	opts.RequiredSecrets = required(allowing)
	opts.SecretManager = sm
	e, err := stackops.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, naming.NonprodCluster)

	devKey := stackops.SecretTarget{Env: "dev", Space: "sales", SecretRef: quotesAPIKey.SecretRef}
	if _, err := e.Up(ctx, "dev", stackops.RunOptions{}); !stackops.IsMissingSecrets(err) {
		t.Fatalf("up dev without the value: got %v", err)
	}
	state, err := e.SetSecret(ctx, devKey, []byte("dev-value"))
	if err != nil {
		t.Fatal(err)
	}
	if state.Version != "1" {
		t.Errorf("set reports %+v, want version 1", state)
	}
	s := sm.secrets["acme-nonprod/dev-quotes-API_KEY"]
	if s == nil || string(s.values[0]) != "dev-value" {
		t.Fatalf("Secret Manager holds %+v", sm.secrets)
	}
	if diff := cmp.Diff(map[string]string{"managed-by": "conveyor", "conveyor-environment": "dev", "conveyor-space": "sales", "conveyor-module": "quotes"}, s.labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	mustUp(t, e, "dev")

	// The ad-hoc tier's default reaches pr-7, not dev.
	if _, _, err := e.CreateEnv(ctx, "pr-7", stackops.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Up(ctx, "pr-7", stackops.RunOptions{}); !stackops.IsMissingSecrets(err) {
		t.Fatalf("up pr-7 without a value or a default: got %v", err)
	}
	if _, err := e.SetSecret(ctx, stackops.SecretTarget{AdHocDefault: true, Space: "sales", SecretRef: quotesAPIKey.SecretRef}, []byte("adhoc-value")); err != nil {
		t.Fatal(err)
	}
	if sm.secrets["acme-nonprod/conveyor-adhoc-quotes-API_KEY"] == nil {
		t.Fatalf("the default is not the tier's secret: %v", sm.secrets)
	}
	list, err := e.ListSecrets(ctx, "pr-7", []stackops.RequiredSecret{allowing})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !list[0].Set || list[0].Source != stackops.SourceAdHocDefault {
		t.Errorf("pr-7 lists %+v, want the ad-hoc default", list)
	}
	mustUp(t, e, "pr-7")
	outs, err := e.StackOutputs(ctx, "pr-7")
	if err != nil {
		t.Fatal(err)
	}
	var defaults appsecrets.Defaults
	if err := json.Unmarshal([]byte(outs["defaults"].Value.(string)), &defaults); err != nil {
		t.Fatalf("the program got defaults %v: %v", outs["defaults"].Value, err)
	}
	if diff := cmp.Diff(appsecrets.Defaults{"quotes": {"API_KEY"}}, defaults); diff != "" {
		t.Errorf("pr-7's program reads from the defaults (-want +got):\n%s", diff)
	}

	// dev has its own value only: unset, it is missing, whatever the ad-hoc tier holds.
	if err := e.UnsetSecret(ctx, devKey); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Up(ctx, "dev", stackops.RunOptions{}); !stackops.IsMissingSecrets(err) {
		t.Errorf("up dev after unset: got %v, want a MissingSecretsError", err)
	}
}

func writeStackFile(t *testing.T, work, env, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(work, "stacks", "Pulumi."+env+".yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

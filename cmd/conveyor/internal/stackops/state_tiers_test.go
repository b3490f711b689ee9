package stackops_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

const prodPassphrase = "production-only-passphrase"

// TestProductionSecretsNeedProductionsKey: with production settings of its own, the engine
// encrypts prod's config and state with production's passphrase, on the real CLI. A clone
// holding only the non-production passphrase, as a pull request's job does, can read dev's
// secrets but neither prod's config nor prod's state; a clone with production's can.
func TestProductionSecretsNeedProductionsKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	tiered := func() stackops.Options {
		o := env.Options(t, stackopstest.Program)
		o.Settings.Prod = &stackops.Settings{BackendURL: env.Backend, Passphrase: prodPassphrase}
		return o
	}
	e, err := stackops.New(ctx, tiered())
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"dev", "prod"} {
		if _, _, err := e.CreateEnv(ctx, stack, stackops.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := e.WorkspaceFor(stack).SetConfig(ctx, stack, "conveyor:secret", auto.ConfigValue{Value: stack + "-s3cret", Secret: true}); err != nil {
			t.Fatalf("setting the secret of %s: %v", stack, err)
		}
	}
	mustUp(t, e, "dev")
	plan := filepath.Join(t.TempDir(), "prod.plan.json")
	if _, err := e.Preview(ctx, "prod", stackops.RunOptions{Plan: plan}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Up(ctx, "prod", stackops.RunOptions{Plan: plan}); err != nil {
		t.Fatal(err)
	}

	// A fresh clone with the non-production passphrase only.
	nonprod, err := stackops.New(ctx, env.Options(t, stackopstest.Program))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nonprod.Preview(ctx, "dev", stackops.RunOptions{}); err != nil {
		t.Errorf("the non-production clone cannot preview dev: %v", err)
	}
	if v, err := nonprod.Workspace().GetConfig(ctx, "dev", "conveyor:secret"); err != nil || v.Value != "dev-s3cret" {
		t.Errorf("the non-production clone reads dev's secret as %q, %v", v.Value, err)
	}
	if out, err := exportWithSecrets(ctx, nonprod.Workspace(), "dev"); err != nil || !strings.Contains(out, "dev-s3cret") {
		t.Errorf("the non-production passphrase does not decrypt dev's state: %v", err)
	}
	_, err = nonprod.Preview(ctx, "prod", stackops.RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("the non-production clone previews prod: %v, want a passphrase error", err)
	}
	// The preview restored prod's config file, encrypted: its secret stays closed.
	if data, err := os.ReadFile(filepath.Join(nonprod.Workspace().WorkDir(), "stacks", "Pulumi.prod.yaml")); err != nil || !strings.Contains(string(data), "secure:") {
		t.Fatalf("prod's config was not restored in the non-production clone: %v\n%s", err, data)
	}
	if v, err := nonprod.Workspace().GetConfig(ctx, "prod", "conveyor:secret"); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("the non-production passphrase reads prod's config secret: %q, %v", v.Value, err)
	}
	if out, err := exportWithSecrets(ctx, nonprod.Workspace(), "prod"); err == nil || !strings.Contains(out, "incorrect passphrase") {
		t.Errorf("the non-production passphrase opens prod's state: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(strings.TrimPrefix(env.Backend, "file://"), ".pulumi", "stacks", "conveyor", "prod.json"))
	if err != nil || !strings.Contains(string(raw), `"secret"`) || strings.Contains(string(raw), "prod-s3cret") {
		t.Errorf("prod's state file does not hold its secret encrypted (%v)", err)
	}

	// A fresh clone with production's settings reads both tiers.
	prod, err := stackops.New(ctx, tiered())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prod.Preview(ctx, "prod", stackops.RunOptions{}); err != nil {
		t.Errorf("production's clone cannot preview prod: %v", err)
	}
	if v, err := prod.WorkspaceFor("prod").GetConfig(ctx, "prod", "conveyor:secret"); err != nil || v.Value != "prod-s3cret" {
		t.Errorf("production's clone reads prod's secret as %q, %v", v.Value, err)
	}
	if out, err := exportWithSecrets(ctx, prod.WorkspaceFor("prod"), "prod"); err != nil || !strings.Contains(out, "prod-s3cret") {
		t.Errorf("production's passphrase does not decrypt prod's state: %v", err)
	}
}

// exportWithSecrets runs `pulumi stack export --show-secrets` as the workspace runs the CLI.
func exportWithSecrets(ctx context.Context, ws auto.Workspace, stack string) (string, error) {
	var env []string
	for k, v := range ws.GetEnvVars() {
		env = append(env, k+"="+v)
	}
	stdout, stderr, _, err := ws.PulumiCommand().Run(ctx, ws.WorkDir(), nil, nil, nil, env,
		"stack", "export", "--show-secrets", "--stack", stack)
	return stdout + stderr, err
}

func TestProductionSettingsFromEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "prod")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"PULUMI_BACKEND_URL": "gs://nonprod-state", "PULUMI_CONFIG_PASSPHRASE": "np"}
	with := func(extra map[string]string) func(string) string {
		return func(k string) string {
			if v, ok := extra[k]; ok {
				return v
			}
			return base[k]
		}
	}
	tests := []struct {
		name      string
		env       map[string]string
		wantProd  *stackops.Settings
		wantSetup string
	}{
		{"one tier", nil, nil, ""},
		{"a backend and a passphrase of its own", map[string]string{"CONVEYOR_PROD_BACKEND_URL": "gs://prod-state", "CONVEYOR_PROD_PASSPHRASE": "p"},
			&stackops.Settings{BackendURL: "gs://prod-state", Passphrase: "p"}, ""},
		{"a backend and a passphrase file", map[string]string{"CONVEYOR_PROD_BACKEND_URL": "gs://prod-state", "CONVEYOR_PROD_PASSPHRASE_FILE": file},
			&stackops.Settings{BackendURL: "gs://prod-state", Passphrase: "from-file"}, ""},
		{"a KMS key", map[string]string{"CONVEYOR_PROD_BACKEND_URL": "gs://prod-state", "CONVEYOR_PROD_SECRETS_PROVIDER": "gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/prod"},
			&stackops.Settings{BackendURL: "gs://prod-state", SecretsProvider: "gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/prod"}, ""},
		{"a backend but no key", map[string]string{"CONVEYOR_PROD_BACKEND_URL": "gs://prod-state"}, nil,
			"set CONVEYOR_PROD_PASSPHRASE (or CONVEYOR_PROD_PASSPHRASE_FILE)"},
		{"the same passphrase", map[string]string{"CONVEYOR_PROD_BACKEND_URL": "gs://prod-state", "CONVEYOR_PROD_PASSPHRASE": "np"}, nil,
			"CONVEYOR_PROD_PASSPHRASE is the same as the non-production passphrase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := stackops.SettingsFromEnv(with(tt.env))
			if tt.wantSetup != "" {
				if !stackops.IsSetup(err) || !strings.Contains(err.Error(), tt.wantSetup) {
					t.Fatalf("err = %v, want a setup error saying %q", err, tt.wantSetup)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (s.Prod == nil) != (tt.wantProd == nil) || s.Prod != nil && *s.Prod != *tt.wantProd {
				t.Errorf("production settings %+v, want %+v", s.Prod, tt.wantProd)
			}
		})
	}
}

// TestProdSettingsNeedTheirOwnBackend: production's state never falls back to the
// non-production backend. Production settings without a backend of their own, or with the
// other tier's shared backend, are refused; and without any production settings, a shared
// backend (not a file backend on one machine) holds no production stack: every operation on
// prod or cluster-prod is refused before the CLI runs, so a CI job whose production variables
// came out empty cannot create or read prod in the long-lived tier's backend.
func TestProdSettingsNeedTheirOwnBackend(t *testing.T) {
	base := map[string]string{"PULUMI_BACKEND_URL": "gs://longlived-state", "CONVEYOR_SECRETS_PROVIDER": "gcpkms://projects/p/locations/global/keyRings/longlived/cryptoKeys/state"}
	prodKey := "gcpkms://projects/p/locations/global/keyRings/prod/cryptoKeys/state"
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"a key but no backend", map[string]string{"CONVEYOR_PROD_SECRETS_PROVIDER": prodKey}},
		{"a passphrase but no backend", map[string]string{"CONVEYOR_PROD_PASSPHRASE": "p"}},
		{"the other tier's backend", map[string]string{"CONVEYOR_PROD_BACKEND_URL": "gs://longlived-state", "CONVEYOR_PROD_SECRETS_PROVIDER": prodKey}},
		{"the other tier's backend, spelt with a slash", map[string]string{"CONVEYOR_PROD_BACKEND_URL": "gs://longlived-state/ ", "CONVEYOR_PROD_SECRETS_PROVIDER": prodKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stackops.SettingsFromEnv(func(k string) string {
				if v, ok := tt.env[k]; ok {
					return v
				}
				return base[k]
			})
			if !stackops.IsSetup(err) || !strings.Contains(err.Error(), "CONVEYOR_PROD_BACKEND_URL") {
				t.Errorf("err = %v, want a setup error naming CONVEYOR_PROD_BACKEND_URL", err)
			}
		})
	}

	t.Run("no production settings on a shared backend", func(t *testing.T) {
		t.Parallel()
		env := stackopstest.NewEnv(t)
		o := env.Options(t, stackopstest.Program)
		o.Settings = stackops.Settings{BackendURL: "gs://longlived-state", SecretsProvider: base["CONVEYOR_SECRETS_PROVIDER"]}
		e, err := stackops.New(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		for _, stack := range []string{"prod", "cluster-prod"} {
			_, _, err := e.CreateEnv(context.Background(), stack, stackops.CreateOptions{})
			if !stackops.IsSetup(err) || !strings.Contains(err.Error(), "CONVEYOR_PROD_BACKEND_URL") {
				t.Errorf("creating %s on the long-lived backend: %v, want a setup error naming CONVEYOR_PROD_BACKEND_URL", stack, err)
			}
			if _, err := e.Preview(context.Background(), stack, stackops.RunOptions{}); !stackops.IsSetup(err) {
				t.Errorf("previewing %s on the long-lived backend: %v, want a setup error", stack, err)
			}
		}
	})
}

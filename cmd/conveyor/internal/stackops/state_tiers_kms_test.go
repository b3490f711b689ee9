package stackops_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
)

// transitDouble is a test double of HashiCorp Vault's transit engine, the KMS a
// hashivault:// secrets provider asks: no real KMS runs here. Its "ciphertext" is the
// plaintext in base64 behind a marker, enough for the CLI's round trips of its data key; it
// counts the requests it answers.
type transitDouble struct{ requests atomic.Int64 }

func (d *transitDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.requests.Add(1)
	var in map[string]string
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data := map[string]string{}
	switch {
	case strings.HasPrefix(r.URL.Path, "/v1/transit/encrypt/"):
		data["ciphertext"] = "vault:v1:" + in["plaintext"]
	case strings.HasPrefix(r.URL.Path, "/v1/transit/decrypt/"):
		data["plaintext"] = strings.TrimPrefix(in["ciphertext"], "vault:v1:")
		if _, err := base64.StdEncoding.DecodeString(data["plaintext"]); err != nil {
			http.Error(w, "not a ciphertext of this double", http.StatusBadRequest)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// TestRecoveryUsesTheTiersKMSKey: on a tier whose secrets are under a KMS key (here Vault's
// transit engine, through a test double), the refresh that clears a killed update's pending
// operations runs with that key from the stack's tags, as every operation does. Without it
// the CLI finds no provider in the stack file, falls back to the passphrase provider, which
// this tier has no passphrase for, and cannot decrypt the stack file's secret.
func TestRecoveryUsesTheTiersKMSKey(t *testing.T) {
	t.Parallel()
	if os.Getenv("PULUMI_CONFIG_PASSPHRASE") != "" || os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") != "" {
		t.Skip("a passphrase in this process's environment would hide the fallback")
	}
	vault := &transitDouble{}
	server := httptest.NewServer(vault)
	t.Cleanup(server.Close)

	env := stackopstest.NewEnv(t)
	opts := env.Options(t, stackopstest.Program)
	opts.Settings = stackops.Settings{BackendURL: env.Backend, SecretsProvider: "hashivault://conveyor"}
	opts.ExtraEnv["VAULT_ADDR"] = server.URL
	opts.ExtraEnv["VAULT_TOKEN"] = "test-double"
	e, file, committed := committedStack(t, opts)
	if p := tags(t, e, "dev")["conveyor:secrets-provider"]; p != "hashivault://conveyor" {
		t.Fatalf("the stack's secrets provider tag is %q", p)
	}
	leavePendingCreate(t, e, "dev", file)
	asked := vault.requests.Load()
	upAfterAKill(t, e, "dev")
	if vault.requests.Load() == asked {
		t.Error("the update and its recovery never asked the KMS")
	}
	if dep := deployment(t, e, "dev"); dep.SecretsProviders == nil || dep.SecretsProviders.Type != "cloud" {
		t.Errorf("the state's secrets are under %+v, not the KMS key", dep.SecretsProviders)
	}
	if data, err := os.ReadFile(file); err != nil || string(data) != string(committed) {
		t.Errorf("the recovery rewrote the stack file (%v):\n%s", err, data)
	}
}

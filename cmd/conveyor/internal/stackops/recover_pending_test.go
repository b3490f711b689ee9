package stackops_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// withStackKeys runs do with env's secrets manager in its stack file, its keys put there from
// the stack's tags and taken out again afterwards, as the engine's guard of the stack file
// does: what do writes with the CLI is encrypted with the stack's own key.
func withStackKeys(t *testing.T, e *stackops.Runner, env, file string, do func()) {
	t.Helper()
	committed, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var keyed []byte
	kept := tags(t, e, env)
	for key, tag := range stackops.SecretsTags {
		if kept[tag] != "" {
			keyed = append(keyed, key+": "+kept[tag]+"\n"...)
		}
	}
	if err := os.WriteFile(file, append(keyed, committed...), 0o644); err != nil {
		t.Fatal(err)
	}
	do()
	written, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.SplitAfter(string(written), "\n") {
		if key, _, _ := strings.Cut(l, ":"); stackops.SecretsTags[key] == "" {
			lines = append(lines, l)
		}
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// setSecret sets a secret config value in env's stack file, encrypted with the stack's key,
// as a committed stack file holds one.
func setSecret(t *testing.T, e *stackops.Runner, env, file, key, value string) {
	t.Helper()
	withStackKeys(t, e, env, file, func() { setConfig(t, e, env, key, value, true) })
}

// leavePendingCreate puts into env's state what a killed update leaves: a create it started
// and never finished (imported with the stack's own key, see withStackKeys).
func leavePendingCreate(t *testing.T, e *stackops.Runner, env, file string) {
	t.Helper()
	dep := deployment(t, e, env)
	dep.PendingOperations = append(dep.PendingOperations, apitype.OperationV2{
		Type: apitype.OperationTypeCreating,
		Resource: apitype.ResourceV3{
			URN:  resource.URN("urn:pulumi:" + env + "::conveyor::" + naming.TypeModule + "::killed"),
			Type: tokens.Type(naming.TypeModule),
		},
	})
	data, err := json.Marshal(dep)
	if err != nil {
		t.Fatal(err)
	}
	withStackKeys(t, e, env, file, func() {
		if err := e.Workspace().ImportStack(context.Background(), env, apitype.UntypedDeployment{Version: 3, Deployment: data}); err != nil {
			t.Fatalf("importing the state of %s: %v", env, err)
		}
	})
}

// TestRecoveryKeepsTheSecretsKey: a committed stack file holds a secret but not the salt it
// is encrypted with, which the stack's tags keep. Through the operations of a stack, a
// killed update's recovery among them, the salt tag stays the one the state and the secret
// are encrypted with: no operation replaces it with one the CLI minted (`stack history`,
// which Stack.Info runs, reads the stack file, not the composed one); the next one would
// fail to decrypt the secret. The stack file stays as committed.
func TestRecoveryKeepsTheSecretsKey(t *testing.T) {
	t.Parallel()
	e, file, committed := committedStack(t, stackopstest.NewEnv(t).Options(t, stackopstest.Program))
	before := tags(t, e, "dev")
	if before["conveyor:secrets-salt"] == "" {
		t.Fatalf("the stack's salt is not in its tags: %v", before)
	}
	// A second up first: the operations of a stack whose file is committed without the
	// salt must not change it either.
	mustUp(t, e, "dev")
	leavePendingCreate(t, e, "dev", file)
	upAfterAKill(t, e, "dev")
	after := tags(t, e, "dev")
	if diff := cmp.Diff(before["conveyor:secrets-salt"], after["conveyor:secrets-salt"]); diff != "" {
		t.Errorf("the recovery changed the salt tag (-before +after):\n%s", diff)
	}
	if data, err := os.ReadFile(file); err != nil || string(data) != string(committed) {
		t.Errorf("the recovery rewrote the stack file (%v):\n%s", err, data)
	}
	dep := deployment(t, e, "dev")
	var salt struct {
		Salt string `json:"salt"`
	}
	if dep.SecretsProviders == nil || json.Unmarshal(dep.SecretsProviders.State, &salt) != nil || salt.Salt != before["conveyor:secrets-salt"] {
		t.Errorf("the state is encrypted with salt %q, not the stack's %q", salt.Salt, before["conveyor:secrets-salt"])
	}
}

// committedStack makes dev with opts, its stack file committed as a repository's is: a secret
// encrypted with the stack's key, which is not in the file. It returns the file and what it
// holds.
func committedStack(t *testing.T, opts stackops.Options) (*stackops.Runner, string, []byte) {
	t.Helper()
	file := filepath.Join(opts.WorkDir, "stacks", "Pulumi.dev.yaml")
	if err := os.WriteFile(file, []byte("config:\n  conveyor:value: committed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := stackops.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	mustUp(t, e, "dev")
	setSecret(t, e, "dev", file, "conveyor:secret", "hush")
	committed, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return e, file, committed
}

// upAfterAKill runs the up after a killed one, which must succeed and clear its pending
// operations.
func upAfterAKill(t *testing.T, e *stackops.Runner, env string) {
	t.Helper()
	s, err := e.Up(context.Background(), env, stackops.RunOptions{})
	if err != nil {
		t.Fatalf("the up after a killed one: %v", err)
	}
	if n := len(deployment(t, e, env).PendingOperations); n != 0 || s.Result != "succeeded" {
		t.Fatalf("after the up: %s, %d pending operation(s) left", s.Result, n)
	}
}

func tags(t *testing.T, e *stackops.Runner, env string) map[string]string {
	t.Helper()
	st, err := auto.SelectStack(context.Background(), env, e.Workspace())
	if err != nil {
		t.Fatal(err)
	}
	tags, err := st.ListTags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tags
}

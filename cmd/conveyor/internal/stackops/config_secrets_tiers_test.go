package stackops_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// readLog is a Secret Manager double that records every secret whose versions are read.
type readLog struct {
	*secretManagerDouble
	mu   sync.Mutex
	read []string
}

func (l *readLog) Versions(ctx context.Context, project, id string) ([]stackops.SecretVersion, error) {
	l.mu.Lock()
	l.read = append(l.read, id)
	l.mu.Unlock()
	return l.secretManagerDouble.Versions(ctx, project, id)
}

// An ad-hoc environment never obtains dev's value, even of a module that lets it read the
// ad-hoc tier's defaults, and even when dev's is the only value there is: with neither a value
// of its own nor a default, it lacks the secret (and its deploy stops), and the command never
// looks at dev's secret for it; with the default, it reads the default.
func TestAdHocEnvironmentNeverReadsDevsValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := stackopstest.NewEnv(t)
	sm := &readLog{secretManagerDouble: &secretManagerDouble{}}
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
	if _, err := e.SetSecret(ctx, stackops.SecretTarget{Env: "dev", Space: "sales", SecretRef: quotesAPIKey.SecretRef}, []byte("dev-value")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.CreateEnv(ctx, "pr-8", stackops.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sm.read = nil

	list, err := e.ListSecrets(ctx, "pr-8", []stackops.RequiredSecret{allowing})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Set {
		t.Errorf("pr-8 lists %+v, want API_KEY unset: dev's value is not pr-8's", list)
	}
	if _, err := e.Up(ctx, "pr-8", stackops.RunOptions{}); !stackops.IsMissingSecrets(err) {
		t.Errorf("up pr-8 with only dev's value: got %v, want a MissingSecretsError", err)
	}
	devs := naming.SecretManagerSecret("dev", "quotes", "API_KEY")
	if slices.Contains(sm.read, devs) {
		t.Errorf("pr-8's operations read dev's secret %s (read %v)", devs, sm.read)
	}

	if _, err := e.SetSecret(ctx, stackops.SecretTarget{AdHocDefault: true, Space: "sales", SecretRef: quotesAPIKey.SecretRef}, []byte("adhoc-value")); err != nil {
		t.Fatal(err)
	}
	list, err = e.ListSecrets(ctx, "pr-8", []stackops.RequiredSecret{allowing})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !list[0].Set || list[0].Source != stackops.SourceAdHocDefault {
		t.Errorf("pr-8 lists %+v, want the ad-hoc tier's default", list)
	}
	for _, id := range sm.read {
		if !strings.HasPrefix(id, "pr-8-") && !strings.HasPrefix(id, naming.AdHocTierDefaults+"-") {
			t.Errorf("pr-8's operations read %s, neither its own secret nor the ad-hoc tier's default", id)
		}
	}
}

package realengine

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestAppSecretsNeverInPlainText gives a local environment's module its secrets through the
// real command (`conveyor secret set`), deploys it through the real engine and the real
// kubernetes provider, and then looks for each value everywhere an operation leaves a trace:
// the backend's files (the checkpoint, its backups and history, the stack's config), the
// Pulumi home (its logs), the checkout (the stack file a person commits), and every byte the
// command printed to standard output (--json) and standard error (its log). Each value, and
// its base64 (how a Secret's data travels), must appear nowhere, while the live Secret holds
// exactly the values that were set: the module's pods read them from there.
func TestAppSecretsNeverInPlainText(t *testing.T) {
	f := setup(t)
	c := f.newClone(t, stackopstest.NewEnv(t), nil)
	const env = "local-vault"
	c.configure(t, env, filepath.Join(f.root, "tests", "apiserver", "testdata", "secretscatalog"))

	values := map[string]string{"STRIPE_API_KEY": "sk_test_" + randomHex(t), "WEBHOOK_SECRET": "whsec_" + randomHex(t)}
	var printed bytes.Buffer // everything the command wrote, both streams
	run := func(stdin string, args ...string) {
		t.Helper()
		if out, code := runConveyor(t, c, &printed, stdin, args...); code != 0 {
			t.Fatalf("conveyor %s: exit %d\n%s", strings.Join(args, " "), code, redact(out, values))
		}
	}
	for name, value := range values {
		run(value+"\n", "secret", "set", "--env", env, "--module", "quotes", name)
	}
	run("", "up", "--env", env, "--json")
	run("", "secret", "list", "--env", env, "--json")
	run("", "status", "--env", env, "--json")
	run("", "preview", "--env", env, "--json")

	t.Run("the live Secret holds the values set", func(t *testing.T) {
		s, err := f.kube.Client.CoreV1().Secrets(naming.Namespace(env, "sales")).Get(t.Context(), naming.AppSecret("quotes"), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for k, v := range s.Data {
			got[k] = string(v)
		}
		if diff := cmp.Diff(values, got); diff != "" {
			t.Errorf("quotes's Secret (-set +live):\n%s", redact(diff, values))
		}
	})

	// The destroy's output and state are searched too: what it prints and what it leaves.
	run("", "destroy", "--env", env, "--confirm", env, "--json")
	if left := f.labelled(t, env); len(left) > 0 {
		t.Errorf("after destroying %s, objects labelled with it are left:\n  %s", env, join(left))
	}

	t.Run("no value in what the command printed", func(t *testing.T) {
		for _, leak := range leaks(printed.String(), values) {
			t.Errorf("the command's output holds %s", leak)
		}
	})

	places := map[string]string{
		"the backend":     strings.TrimPrefix(c.backend.Backend, "file://"),
		"the Pulumi home": c.backend.Home,
		"the checkout":    c.opts.WorkDir,
	}
	for place, dir := range places {
		t.Run("no value in "+place, func(t *testing.T) {
			files := 0
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !d.Type().IsRegular() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				files++
				for _, leak := range leaks(string(data), values) {
					t.Errorf("%s holds %s", path, leak)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if files == 0 {
				t.Fatalf("%s (%s) has no files: the test looked in the wrong place", place, dir)
			}
		})
	}
}

// leaks names each secret whose value, or its base64, is in text.
func leaks(text string, values map[string]string) []string {
	var found []string
	for name, value := range values {
		for form, s := range map[string]string{"in plain text": value, "in base64": base64.StdEncoding.EncodeToString([]byte(value))} {
			if strings.Contains(text, s) {
				found = append(found, name+"'s value "+form)
			}
		}
	}
	return found
}

// redact replaces the values in text, so that a failing test does not print them either.
func redact(text string, values map[string]string) string {
	for name, value := range values {
		text = strings.ReplaceAll(text, value, "<"+name+">")
	}
	return text
}

// randomHex is 16 random hex digits: a value no fixture, log line or encoding holds by chance.
func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

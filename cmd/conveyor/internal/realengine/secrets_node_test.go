package realengine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/cli"
	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackopstest"
	"github.com/conveyor-paas/conveyor/naming"
)

// secretsNodeCatalog is one space with two modules that run the harness's test service:
// payments reads a secret, intruder reads none and is the attacker.
var secretsNodeCatalog = map[string]string{
	"vault/space.conveyor.yaml": `space: vault
team: vault@example.com
mesh: false
`,
	"vault/payments.conveyor.yaml": `module: payments
space: vault
secrets: [API_KEY]
` + testServiceAPI,
	"vault/intruder.conveyor.yaml": `module: intruder
space: vault
` + testServiceAPI,
}

// TestModuleSecretsOnANode gives a module a secret through the real command, on a cluster
// whose node really runs its pods, and checks what only running pods show: a deploy without
// the value stops before the engine and `status` names it; the module's pod reads the value
// as its file; a new value set with `conveyor secret set` reaches the same running pod,
// which no one restarts; and the other module of the same space, from its own side, gets
// nothing of it: its pod has neither the file nor a token, its service account's token is
// refused every read of the Secret, and a pod spec of it that names the Secret is refused by
// admission, as are the pods its Deployment's controller would make.
func TestModuleSecretsOnANode(t *testing.T) {
	f := setupNode(t)
	c := f.newClone(t, stackopstest.NewEnv(t), nil)
	const env, space, owner, attacker = "local-vault", "vault", "payments", "intruder"
	catalog := filepath.Join(t.TempDir(), "catalog")
	writeFiles(t, catalog, secretsNodeCatalog)
	c.configure(t, env, catalog)
	ctx := t.Context()
	client := f.kube.Client
	first, second := "sk_node_"+randomHex(t), "sk_node_"+randomHex(t)
	values := map[string]string{"the first value": first, "the second value": second}
	ns := naming.Namespace(env, space)
	file := naming.SecretsDir + "/API_KEY"
	setCommand := "conveyor secret set --env " + env + " --module " + owner + " API_KEY"
	var printed bytes.Buffer // everything the command wrote, both streams
	up := func(t *testing.T) {
		t.Helper()
		if out, code := runConveyor(t, c, &printed, "", "up", "--env", env, "--json"); code != 0 {
			t.Fatalf("conveyor up: exit %d\n%s", code, redact(out, values))
		}
	}

	t.Run("without the value, up stops before the engine and status names it", func(t *testing.T) {
		out, code := runConveyor(t, c, &printed, "", "up", "--env", env)
		if code != cli.ExitSetup || !strings.Contains(out, setCommand) {
			t.Errorf("up without the value: exit %d, want %d naming %q:\n%s", code, cli.ExitSetup, setCommand, out)
		}
		if _, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the stopped up made namespace %s (err %v): the engine ran", ns, err)
		}
		out, code = runConveyor(t, c, &printed, "", "status", "--env", env)
		if want := env + "/" + owner + " has no value for secret API_KEY: " + setCommand; code != cli.ExitFailed || !strings.Contains(out, want) {
			t.Errorf("status without the value: exit %d, want %d saying %q:\n%s", code, cli.ExitFailed, want, out)
		}
	})

	mustSet := func(t *testing.T, value string) {
		t.Helper()
		if out, code := runConveyor(t, c, &printed, value+"\n", "secret", "set", "--env", env, "--module", owner, "API_KEY"); code != 0 {
			t.Fatalf("conveyor secret set: exit %d\n%s", code, redact(out, values))
		}
	}
	mustSet(t, first)
	up(t)
	pay := readyPod(t, f, ns, owner)
	intruder := readyPod(t, f, ns, attacker)

	t.Run("the module's pod reads the value as its file", func(t *testing.T) {
		got, err := f.kube.ReadPodFile(ctx, ns, pay.Name, file)
		if err != nil || got != first {
			t.Errorf("%s in pod %s: %q, %v; want the first value", file, pay.Name, redact(got, values), err)
		}
	})

	t.Run("a new value reaches the running pod without a restart", func(t *testing.T) {
		mustSet(t, second)
		up(t)
		var got string
		err := poll(ctx, 4*time.Minute, func(ctx context.Context) bool {
			got, _ = f.kube.ReadPodFile(ctx, ns, pay.Name, file)
			return got == second
		})
		if err != nil {
			t.Errorf("%s in pod %s is still %q, want the second value", file, pay.Name, redact(got, values))
		}
		now, err := client.CoreV1().Pods(ns).Get(ctx, pay.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("the pod that read the first value is gone: %v", err)
		}
		if now.UID != pay.UID || restarts(now) != 0 {
			t.Errorf("pod %s was replaced or restarted (uid %s -> %s, %d restarts)", pay.Name, pay.UID, now.UID, restarts(now))
		}
	})

	t.Run("the other module's pod has neither the file nor a token", func(t *testing.T) {
		for _, path := range []string{file, "/var/run/secrets/kubernetes.io/serviceaccount/token"} {
			if got, err := f.kube.ReadPodFile(ctx, ns, intruder.Name, path); err == nil {
				t.Errorf("pod %s of %s reads %s: %q", intruder.Name, attacker, path, redact(got, values))
			}
		}
	})

	t.Run("the other module's service account reads no Secret", func(t *testing.T) {
		// What a pod of intruder could hold: a token of its own service account (it mounts
		// none, but a pod may project one).
		tr, err := client.CoreV1().ServiceAccounts(ns).CreateToken(ctx, naming.KubernetesServiceAccount(attacker),
			&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr(int64(600))}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cfg := rest.AnonymousClientConfig(f.kube.Config)
		cfg.BearerToken = tr.Status.Token
		as, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		secrets := as.CoreV1().Secrets(ns)
		attempts := map[string]func() error{
			"get its Secret": func() error {
				_, err := secrets.Get(ctx, naming.AppSecret(owner), metav1.GetOptions{})
				return err
			},
			"list the namespace's Secrets": func() error { _, err := secrets.List(ctx, metav1.ListOptions{}); return err },
			"watch the namespace's Secrets": func() error {
				w, err := secrets.Watch(ctx, metav1.ListOptions{})
				if err == nil {
					w.Stop()
				}
				return err
			},
			"make a pod": func() error {
				_, err := as.CoreV1().Pods(ns).Create(ctx, stealingPod(intruder, owner, mountVolume), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
				return err
			},
		}
		for what, try := range attempts {
			if err := try(); !apierrors.IsForbidden(err) {
				t.Errorf("%s's token: %s: got %v, want forbidden", attacker, what, err)
			}
		}
	})

	t.Run("a pod spec of the other module that names the Secret is refused", func(t *testing.T) {
		pods := client.CoreV1().Pods(ns)
		dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
		// The control: intruder's own pod spec, unchanged, is admitted; each attempt below
		// differs from it in the one way it tests.
		if _, err := pods.Create(ctx, stealingPod(intruder, owner), dryRun); err != nil {
			t.Fatalf("intruder's own pod spec is refused: %v", err)
		}
		for _, how := range []stealing{mountVolume, projectVolume, readVariable, readAllVariables, passAsOwner} {
			_, err := pods.Create(ctx, stealingPod(intruder, owner, how), dryRun)
			if !apierrors.IsInvalid(err) && !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), naming.ModuleSecretsPolicy(env)) {
				t.Errorf("a pod of %s that %s: got %v, want refused by %s", attacker, how.what, err, naming.ModuleSecretsPolicy(env))
			}
		}
	})

	t.Run("a Deployment of the other module that mounts the Secret starts no pod", func(t *testing.T) {
		thief := stealingPod(intruder, owner, mountVolume)
		selector := map[string]string{"app": "thief"}
		thief.Labels = map[string]string{"app": "thief", naming.LabelModule: attacker}
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "thief"},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: selector},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: thief.Labels}, Spec: thief.Spec},
			},
		}
		if _, err := client.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_ = client.AppsV1().Deployments(ns).Delete(context.Background(), d.Name, metav1.DeleteOptions{})
		}()
		var why string
		err := poll(ctx, 2*time.Minute, func(ctx context.Context) bool {
			sets, err := client.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=thief"})
			if err != nil {
				return false
			}
			for _, rs := range sets.Items {
				for _, cond := range rs.Status.Conditions {
					if cond.Type == appsv1.ReplicaSetReplicaFailure {
						why = cond.Message
					}
				}
			}
			return strings.Contains(why, naming.ModuleSecretsPolicy(env))
		})
		if err != nil {
			t.Errorf("the thief's ReplicaSet reports no refusal by %s (last: %q)", naming.ModuleSecretsPolicy(env), why)
		}
		pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=thief"})
		if err != nil {
			t.Fatal(err)
		}
		if len(pods.Items) != 0 {
			t.Errorf("the thief's Deployment made %d pods", len(pods.Items))
		}
	})

	out, code := runConveyor(t, c, &printed, "", "destroy", "--env", env, "--confirm", env)
	if code != 0 {
		t.Fatalf("conveyor destroy: exit %d\n%s", code, redact(out, values))
	}
	t.Run("no value in what the command printed", func(t *testing.T) {
		for _, leak := range leaks(printed.String(), values) {
			t.Errorf("the command's output holds %s", leak)
		}
	})
}

// stealing is one way a pod spec names another module's Secret.
type stealing struct {
	what  string
	apply func(p *corev1.Pod, secret string)
}

var (
	mountVolume = stealing{"mounts its Secret", func(p *corev1.Pod, secret string) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "stolen",
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: secret}}})
		c := &p.Spec.Containers[0]
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "stolen", MountPath: "/stolen", ReadOnly: true})
	}}
	projectVolume = stealing{"projects its Secret into a volume", func(p *corev1.Pod, secret string) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "stolen", VolumeSource: corev1.VolumeSource{
			Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{
				Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: secret}}}}}}})
		c := &p.Spec.Containers[0]
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "stolen", MountPath: "/stolen", ReadOnly: true})
	}}
	readVariable = stealing{"reads a key of its Secret into a variable", func(p *corev1.Pod, secret string) {
		c := &p.Spec.Containers[0]
		c.Env = append(c.Env, corev1.EnvVar{Name: "STOLEN", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: "API_KEY"}}})
	}}
	readAllVariables = stealing{"reads its whole Secret into variables", func(p *corev1.Pod, secret string) {
		c := &p.Spec.Containers[0]
		c.EnvFrom = append(c.EnvFrom, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: secret}}})
	}}
	passAsOwner = stealing{"runs as the owner's service account, still labelled as its own module", func(p *corev1.Pod, secret string) {
		module, _ := naming.ModuleSecretOwner(secret)
		p.Spec.ServiceAccountName = naming.KubernetesServiceAccount(module)
		mountVolume.apply(p, secret)
	}}
)

// stealingPod is a copy of the live pod of the attacker's module (its labels, its service
// account, its security settings, all of which admission checks), naming the owner's Secret
// in each way given.
func stealingPod(of *corev1.Pod, owner string, how ...stealing) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "thief-", Labels: of.Labels},
		Spec:       *of.Spec.DeepCopy(),
	}
	p.Spec.NodeName = ""
	for _, h := range how {
		h.apply(p, naming.AppSecret(owner))
	}
	return p
}

// readyPod waits for the Ready pod of module's api in ns (of its only component).
func readyPod(t *testing.T, f *fixture, ns, module string) *corev1.Pod {
	t.Helper()
	return readyPodSelected(t, f, ns, module, naming.LabelModule+"="+module)
}

// readyComponentPod waits for a Ready pod of one of module's components in ns.
func readyComponentPod(t *testing.T, f *fixture, ns, module, component string) *corev1.Pod {
	t.Helper()
	return readyPodSelected(t, f, ns, module+"'s "+component,
		naming.LabelModule+"="+module+","+naming.LabelComponent+"="+component)
}

// readyPodSelected waits for a Ready pod of what (a module, or a component) in ns.
func readyPodSelected(t *testing.T, f *fixture, ns, what, selector string) *corev1.Pod {
	t.Helper()
	var found *corev1.Pod
	var seen string
	err := poll(t.Context(), 3*time.Minute, func(ctx context.Context) bool {
		pods, err := f.kube.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			seen = err.Error()
			return false
		}
		for i := range pods.Items {
			if p := &pods.Items[i]; ready(p) && p.DeletionTimestamp == nil {
				found = p
				return true
			}
			seen = pods.Items[i].Name + ": " + waiting(&pods.Items[i])
		}
		return false
	})
	if err != nil {
		t.Fatalf("no Ready pod of %s in %s (%s)", what, ns, seen)
	}
	return found
}

func restarts(p *corev1.Pod) int32 {
	var n int32
	for _, s := range p.Status.ContainerStatuses {
		n += s.RestartCount
	}
	return n
}

func ptr[T any](v T) *T { return &v }

// runConveyor runs the command with stdin, and returns both of its streams, which it also
// adds to printed, for the search for values.
func runConveyor(t *testing.T, c *clone, printed *bytes.Buffer, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := c.command(t, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	printed.Write(out.Bytes())
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	}
	t.Fatalf("conveyor %s: %v", strings.Join(args, " "), err)
	return "", 0
}

// writeFiles writes files (relative path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

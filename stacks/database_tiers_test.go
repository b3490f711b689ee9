package stacks_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/dbsetup"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
)

// databaseAccess is how an environment's database jobs reach the server: which instance
// (through the proxy beside them, whose last argument is its connection name), as whom, and
// with which password (the one its platform namespace's Secret holds).
type databaseAccess struct{ instance, admin, password string }

func databaseAccessOf(t *testing.T, rec *evaluation.Recording, env string) databaseAccess {
	t.Helper()
	var jobs []evaluation.Resource
	for _, r := range evaluationtest.OfType(rec, "kubernetes:batch/v1:Job") {
		if strings.HasSuffix(r.Name, "-"+naming.DatabaseSetupComponent) {
			jobs = append(jobs, r)
		}
	}
	if len(jobs) == 0 {
		t.Fatalf("%s has no database setup job", env)
	}
	vars := envOf(jobs[0])
	if vars["PGHOST"] != "127.0.0.1" {
		t.Errorf("%s's jobs connect to %q, not to the proxy beside them", env, vars["PGHOST"])
	}
	password := secretData(t, rec, naming.PlatformNamespace(env), naming.DatabaseAdminSecret())[components.SecretKeyPassword]
	return databaseAccess{instance: proxiedInstance(jobs[0]), admin: vars["PGUSER"], password: password.(string)}
}

// proxiedInstance is the instance the Cloud SQL Auth Proxy beside a Job serves: the name at
// the end of its connection name ("project:region:instance"), or "" without a proxy.
func proxiedInstance(job evaluation.Resource) string {
	const proxy = "spec.template.spec.initContainers[0]"
	if evaluationtest.String(job.Inputs, proxy+".name") != naming.SQLProxyContainer {
		return ""
	}
	last := ""
	for i := 0; ; i++ {
		arg, ok := evaluationtest.Lookup(job.Inputs, fmt.Sprintf("%s.args[%d]", proxy, i))
		if !ok {
			break
		}
		last = arg.StringValue()
	}
	return last[strings.LastIndex(last, ":")+1:]
}

// envOf is a Job's plain environment variables.
func envOf(job evaluation.Resource) map[string]string {
	out := map[string]string{}
	for i := 0; ; i++ {
		prefix := fmt.Sprintf("spec.template.spec.containers[0].env[%d]", i)
		if _, ok := evaluationtest.Lookup(job.Inputs, prefix); !ok {
			return out
		}
		out[evaluationtest.String(job.Inputs, prefix+".name")] = evaluationtest.String(job.Inputs, prefix+".value")
	}
}

// TestEachTierHasItsOwnDatabaseAdmin: dev, staging and an ad-hoc environment connect as three
// different admins with three different passwords, staging on an instance of its own; and no
// environment gets an admin password from the cluster stack's outputs.
func TestEachTierHasItsOwnDatabaseAdmin(t *testing.T) {
	want := map[string]databaseAccess{
		"dev":     {instance: naming.SQLInstance("nonprod"), admin: naming.DatabaseAdmin("dev")},
		"staging": {instance: naming.SQLInstanceOf("nonprod", naming.StagingScope), admin: naming.DatabaseAdmin("staging")},
		"pr-123":  {instance: naming.SQLInstance("nonprod"), admin: naming.DatabaseAdmin(naming.AdHocAdminScope)},
	}
	passwords := map[string]string{}
	for env, w := range want {
		got := databaseAccessOf(t, evaluate(t, env, nil), env)
		if got.instance != w.instance || got.admin != w.admin {
			t.Errorf("%s's jobs connect to %q as %s; want %s as %s", env, got.instance, got.admin, w.instance, w.admin)
		}
		if !strings.HasPrefix(got.password, "simulated-") {
			t.Errorf("%s's admin password %q is not one the cluster stack generated", env, got.password)
		}
		if other, ok := passwords[got.password]; ok {
			t.Errorf("%s and %s hold the same database admin password", env, other)
		}
		passwords[got.password] = env
	}
	if want["staging"].instance == want["pr-123"].instance {
		t.Fatal("the test expects staging's instance to differ from pr-123's")
	}
	outputs := components.SimulateClusterOutputs(components.SimulatedCluster{Name: "nonprod"})
	for key, v := range outputs {
		if v.IsSecret() && key != components.OutputKubeconfig {
			t.Errorf("the cluster stack's output %s is a secret that environments read", key)
		}
	}
}

// TestTheClusterStackMakesEachScopesAdmin: cluster-nonprod makes one Cloud SQL API user per
// instance (the root, whose password is in its own namespace only), and a job per scope that
// makes the scope's admin by SQL; the admin's password goes to that scope's namespace alone.
func TestTheClusterStackMakesEachScopesAdmin(t *testing.T) {
	rec := evaluate(t, naming.NonprodCluster, nil)
	var users []string
	for _, r := range evaluationtest.OfType(rec, "gcp:sql/user:User") {
		users = append(users, evaluationtest.String(r.Inputs, "name")+"@"+evaluationtest.String(r.Inputs, "instance"))
	}
	slices.Sort(users)
	wantUsers := []string{
		naming.DatabaseAdminUser + "@" + naming.SQLInstance("nonprod"),
		naming.DatabaseAdminUser + "@" + naming.SQLInstanceOf("nonprod", naming.StagingScope),
	}
	slices.Sort(wantUsers)
	if !slices.Equal(users, wantUsers) {
		t.Errorf("Cloud SQL API users %v, want %v", users, wantUsers)
	}
	for _, scope := range naming.DatabaseAdminScopes(false) {
		job := evaluationtest.Find(rec, "kubernetes:batch/v1:Job", naming.ClusterPlatformNamespace+"/"+naming.DatabaseAdminsJob(scope))
		if job == nil {
			t.Errorf("no job makes the %s admin", scope)
			continue
		}
		vars := envOf(*job)
		if vars[dbsetup.EnvAdmin] != naming.DatabaseAdmin(scope) || vars["PGUSER"] != naming.DatabaseAdminUser {
			t.Errorf("the %s admin's job makes %q as %q", scope, vars[dbsetup.EnvAdmin], vars["PGUSER"])
		}
		if script := evaluationtest.String(job.Inputs, "spec.template.spec.containers[0].command[2]"); script != dbsetup.Admin {
			t.Errorf("the %s admin's job does not run dbsetup.Admin", scope)
		}
		data := secretData(t, rec, naming.DatabaseAdminNamespace(scope), naming.DatabaseAdminSecret())
		if len(data) != 1 || data[components.SecretKeyPassword] == nil {
			t.Errorf("the %s admin's Secret holds %v, want its password alone", scope, data)
		}
	}
}

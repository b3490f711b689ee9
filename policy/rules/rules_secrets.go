package rules

import (
	"slices"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// Type tokens of application secrets (components/module_secrets.go).
const (
	TypeSecretProviderClass = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"
	TypeSecretManagerSecret = "gcp:secretmanager/secret:Secret"
)

// secretRules hold a module's secrets to the module: no value where plain configuration
// lives, no one but the module's own identity reading them, and nothing outside production
// reading production's.
func secretRules() []Rule {
	return []Rule{
		{
			ID: "CONV-SEC-001", Severity: SeverityCritical,
			Description: "A secret a module declares is never a literal environment variable of a container nor a key " +
				"of a ConfigMap in its namespace: a secret's value lives in Secret Manager or the module's Secret only.",
			Remediation: "Remove the literal: the pod reads the secret as the file " + naming.SecretsDir + "/<NAME> " +
				"(set its value with `conveyor secret set`), and the name is either config or a secret, never both.",
			CheckStack: checkSecretLiterals,
		},
		{
			ID: "CONV-SEC-002", Severity: SeverityCritical, MatchType: isSecretIAMType,
			Description: "IAM on a Secret Manager secret grants only the service account of the module the secret " +
				"belongs to, in the same environment; only an ad-hoc environment is granted the ad-hoc tier's defaults.",
			Remediation: "Bind roles/secretmanager.secretAccessor on <env>-<module>-<NAME> to serviceAccount:" +
				"naming.ServiceAccountID(env, module) alone (components/module_secrets.go), never a group, a user or " +
				"another module's account.",
			Check: checkSecretAccess,
		},
		{
			ID: "CONV-SEC-003", Severity: SeverityCritical, MatchType: isSecretIAMType,
			Description: "A production secret is readable by no non-production identity: no other environment binds " +
				"anything on prod's secrets, and prod's bindings name prod's service accounts only.",
			Remediation: "Remove the binding: a non-production environment reads its own secrets (or, ad hoc, the " +
				"ad-hoc tier's defaults), and prod's secrets are bound to prod's module accounts alone.",
			Check: checkProductionSecretAccess,
		},
		{
			ID: "CONV-SEC-004", Severity: SeverityCritical, Types: WorkloadTypes(),
			Description: "A pod names only its own module's Secrets: the secret values (<module>-secrets), database " +
				"credentials (<module>-database) and SecretProviderClasses (<module>-<component>) of the module whose " +
				"service account it runs as, and a pod labelled as a module's runs as that module's account.",
			Remediation: "Read another module's data through that module's API, never its Secret: give the pod its own " +
				"module's service account and name only that module's Secrets (Conveyor's components do); the " +
				"cluster's admission policy " + naming.ModuleSecretsPolicy("<env>") + " refuses such a pod too.",
			Check: checkOwnModuleSecrets,
		},
	}
}

// checkOwnModuleSecrets holds a workload's pod to the Secrets of the module it runs as: the
// policy pack's side of the admission policy components.moduleSecretsPolicy. The platform
// namespaces are outside it, as they are outside the admission policy (it selects the spaces'
// namespaces): an environment's, whose setup jobs read each module's verifier, and a cluster
// stack's (naming.ClusterPlatformNamespace), whose jobs make the database admins.
func checkOwnModuleSecrets(r Resource) []Finding {
	p, ok := podOf(r)
	if !ok {
		return nil
	}
	ns := inputs(r).at("metadata.namespace")
	switch {
	case ns.unknown():
		return []Finding{undecided(ns)}
	case ns.str() == naming.PlatformNamespace(r.Environment), ns.str() == naming.ClusterPlatformNamespace:
		return nil
	}
	account := p.spec.key("serviceAccountName")
	if account.unknown() {
		return []Finding{undecided(account)}
	}
	runsAs := account.str()
	if !account.set() {
		runsAs = "default"
	}
	var out []Finding
	if label := p.meta.key("labels").key(naming.LabelModule); label.unknown() {
		out = append(out, undecided(label))
	} else if label.set() && label.str() != runsAs {
		out = append(out, violationf("the pod is labelled as module %s's and runs as service account %q", label.show(), runsAs))
	}
	refs, pending := secretRefs(p)
	if pending != nil {
		return append(out, undecided(*pending))
	}
	for _, ref := range refs {
		// A class is named <module>-<component> (naming.SecretProviderClass).
		others := !strings.HasPrefix(ref.name, runsAs+"-")
		if !ref.providerClass {
			owner, ok := naming.ModuleSecretOwner(ref.name)
			others = ok && owner != runsAs
		}
		if others {
			out = append(out, violationf("%s names %s %q, which is not module %s's (the pod runs as %q)", ref.where, ref.kind(), ref.name, runsAs, runsAs))
		}
	}
	return out
}

// namedSecret is one Secret (or SecretProviderClass) a pod names, and where.
type namedSecret struct {
	name, where   string
	providerClass bool
}

func (r namedSecret) kind() string {
	if r.providerClass {
		return "SecretProviderClass"
	}
	return "Secret"
}

// secretRefs lists what a pod names of its namespace's Secrets: secret and projected volumes,
// the Secrets Store CSI driver's classes, and its containers' variables. pending is a value
// not known yet.
func secretRefs(p pod) ([]namedSecret, *value) {
	var refs []namedSecret
	var pending *value
	add := func(v value, where string, class bool) {
		switch {
		case v.unknown():
			pending = &v
		case v.set():
			refs = append(refs, namedSecret{name: v.str(), where: where, providerClass: class})
		}
	}
	volumes, wait := p.spec.key("volumes").elems()
	if wait != nil {
		return nil, wait
	}
	for _, v := range volumes {
		where := "volume " + v.key("name").show()
		add(v.at("secret.secretName"), where, false)
		for _, s := range v.at("projected.sources").items() {
			add(s.at("secret.name"), where, false)
		}
		if v.at("csi.driver").str() == naming.SecretsStoreDriver {
			add(v.at("csi.volumeAttributes.secretProviderClass"), where, true)
		}
	}
	cs, wait := p.containers()
	if wait != nil {
		return nil, wait
	}
	for _, c := range cs {
		for _, e := range c.key("env").items() {
			add(e.at("valueFrom.secretKeyRef.name"), c.label+" variable "+e.key("name").show(), false)
		}
		for _, f := range c.key("envFrom").items() {
			add(f.at("secretRef.name"), c.label+" envFrom", false)
		}
	}
	return refs, pending
}

// isSecretIAMType matches the IAM member, binding and policy resources of Secret Manager.
func isSecretIAMType(typ string) bool {
	return isIAMType(typ) && strings.HasPrefix(typ, "gcp:secretmanager/")
}

// declaredSecrets are the secret names each namespace's modules declare, read from what the
// components make of them: the keys of a module's Secret on a local cluster, the files of a
// SecretProviderClass on GKE.
func declaredSecrets(idx *objectIndex) (map[string][]string, *Finding) {
	out := map[string][]string{}
	pendingOn := func(o object, v value) *Finding {
		f := undecided(v)
		f.URN = o.URN
		return &f
	}
	add := func(o object, names []string) *Finding {
		if o.namespace.unknown() {
			return pendingOn(o, o.namespace)
		}
		out[o.namespace.str()] = append(out[o.namespace.str()], names...)
		return nil
	}
	for _, s := range idx.of(TypeSecret).all {
		if !strings.HasSuffix(s.name.str(), naming.AppSecret("")) {
			continue
		}
		data := inputs(s.Resource).key("stringData")
		if data.unknown() {
			return nil, pendingOn(s, data)
		}
		if pending := add(s, data.keys()); pending != nil {
			return nil, pending
		}
	}
	for _, spc := range idx.of(TypeSecretProviderClass).all {
		files := inputs(spc.Resource).at("spec.parameters.secrets")
		if files.unknown() {
			return nil, pendingOn(spc, files)
		}
		var names []string
		for _, line := range strings.Split(files.str(), "\n") {
			if name, ok := strings.CutPrefix(strings.TrimSpace(line), "path:"); ok {
				names = append(names, strings.TrimSpace(name))
			}
		}
		if pending := add(spc, names); pending != nil {
			return nil, pending
		}
	}
	return out, nil
}

func checkSecretLiterals(s Stack) []Finding {
	idx := indexObjects(s)
	declared, pending := declaredSecrets(idx)
	if pending != nil {
		return []Finding{*pending}
	}
	var out []Finding
	for _, typ := range WorkloadTypes() {
		for _, w := range idx.of(typ).all {
			names := declared[w.namespace.str()]
			if len(names) == 0 {
				continue
			}
			for _, f := range forContainers(w.Resource, func(_ pod, c container) []Finding {
				var found []Finding
				for _, e := range c.key("env").items() {
					name := e.key("name")
					if slices.Contains(names, name.str()) && e.key("value").set() {
						found = append(found, violationf("%s sets secret %s as a literal environment variable", c.label, name.show()))
					}
				}
				return found
			}) {
				f.URN = w.URN
				out = append(out, f)
			}
		}
	}
	for _, cm := range idx.of(TypeConfigMap).all {
		names := declared[cm.namespace.str()]
		for _, key := range inputs(cm.Resource).key("data").keys() {
			if slices.Contains(names, key) {
				f := violationf("ConfigMap %s holds secret %q in plain text", cm.name.show(), key)
				f.URN = cm.URN
				out = append(out, f)
			}
		}
	}
	return out
}

// secretOwner reads whose a Secret Manager secret is from its id: the environment's
// ("<env>-<module>-<NAME>") or the ad-hoc tier's defaults ("conveyor-adhoc-<module>-<NAME>").
// ok is false for an id of neither shape, such as another environment's.
func secretOwner(env, id string) (module string, tierDefault, ok bool) {
	for _, owner := range []string{env, naming.AdHocTierDefaults} {
		rest, found := strings.CutPrefix(id, owner+"-")
		if !found {
			continue
		}
		module, _, found = strings.Cut(rest, "-")
		if found && naming.ValidatePart(naming.PartModule, module) == nil {
			return module, owner == naming.AdHocTierDefaults, true
		}
	}
	return "", false, false
}

// memberAccount is the service account id a member names ("serviceAccount:<id>@<project>.
// iam.gserviceaccount.com"), or "" for any other kind of member.
func memberAccount(member string) string {
	email, ok := strings.CutPrefix(member, "serviceAccount:")
	if !ok || !strings.HasSuffix(email, ".iam.gserviceaccount.com") {
		return ""
	}
	id, _, _ := strings.Cut(email, "@")
	return id
}

func checkSecretAccess(r Resource) []Finding {
	id := inputs(r).key("secretId")
	if id.unknown() {
		return []Finding{undecided(id)}
	}
	secretID := id.str()[strings.LastIndex(id.str(), "/")+1:] // a full name ends with the id
	module, tierDefault, ok := secretOwner(r.Environment, secretID)
	if !ok {
		return []Finding{violationf("binds secret %s, which is not one of environment %s's secrets", id.show(), r.Environment)}
	}
	if kind, _ := naming.ClassifyStack(r.Environment); tierDefault && kind != naming.StackAdHoc {
		return []Finding{violationf("binds the ad-hoc tier's default %s in %s, which is not an ad-hoc environment", id.show(), r.Environment)}
	}
	want := naming.ServiceAccountID(r.Environment, module)
	return forGrants(r, func(g grant) []Finding {
		var out []Finding
		for _, m := range g.members {
			out = append(out, require(m, memberAccount(m.str()) != want,
				"grants %s on secret %s to %s, not to module %s's own service account %s", g.role.show(), id.show(), m.show(), module, want)...)
		}
		return out
	})
}

func checkProductionSecretAccess(r Resource) []Finding {
	id := inputs(r).key("secretId")
	if id.unknown() {
		return []Finding{undecided(id)}
	}
	secretID := id.str()[strings.LastIndex(id.str(), "/")+1:]
	prodSecret := strings.HasPrefix(secretID, naming.ProductionStack+"-")
	if r.Environment != naming.ProductionStack {
		if prodSecret {
			return []Finding{violationf("environment %s binds production's secret %s", r.Environment, id.show())}
		}
		return nil
	}
	return forGrants(r, func(g grant) []Finding {
		var out []Finding
		for _, m := range g.members {
			account := memberAccount(m.str())
			out = append(out, require(m, !strings.HasPrefix(account, naming.ProductionStack+"-"),
				"grants %s on production's secret %s to %s, which is no production identity", g.role.show(), id.show(), m.show())...)
		}
		return out
	})
}

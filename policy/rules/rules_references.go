package rules

import "slices"

// referencesRule: a pod can only use a Secret, ConfigMap or ServiceAccount of its own
// namespace. When the stack creates the one a workload names only in another namespace, the
// workload was wired to another space's or another environment's object: in a cluster shared
// by environments, that is exactly how one environment ends up reading another's credentials.
func referencesRule() Rule {
	return Rule{
		ID:       "CONV-NAME-004",
		Severity: SeverityCritical,
		Description: "Workloads reference only Secrets, ConfigMaps and ServiceAccounts of their own namespace " +
			"(and so of their own environment).",
		Remediation: "Create the Secret, ConfigMap or ServiceAccount in the workload's namespace (naming.Namespace(env, " +
			"space)) and reference it by its naming function (naming.DatabaseSecret, naming.KubernetesServiceAccount).",
		CheckStack: checkReferences,
	}
}

// reference is a name a pod spec uses, and the type of object it names.
type reference struct {
	typ  string
	name value
}

func checkReferences(s Stack) []Finding {
	where := map[string][]string{} // type and name -> the namespaces the stack creates it in
	for _, typ := range []string{TypeSecret, TypeConfigMap, TypeServiceAccount} {
		for _, o := range objectsOf(s, typ) {
			if !o.name.unknown() && !o.namespace.unknown() {
				key := typ + "/" + o.name.str()
				where[key] = append(where[key], o.namespace.str())
			}
		}
	}
	var out []Finding
	for _, typ := range WorkloadTypes() {
		for _, w := range objectsOf(s, typ) {
			for _, f := range checkWorkloadReferences(w, where) {
				f.URN = w.URN
				out = append(out, f)
			}
		}
	}
	return out
}

func checkWorkloadReferences(w object, where map[string][]string) []Finding {
	if w.namespace.unknown() {
		return []Finding{undecided(w.namespace)}
	}
	p, _ := podOf(w.Resource)
	refs, pending := podReferences(p)
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	ns := w.namespace.str()
	var out []Finding
	for _, ref := range refs {
		if ref.name.unknown() {
			out = append(out, undecided(ref.name))
			continue
		}
		elsewhere := where[ref.typ+"/"+ref.name.str()]
		if len(elsewhere) == 0 || slices.Contains(elsewhere, ns) {
			// Not created by this stack (a cluster default such as the "default" service
			// account), or created where it belongs.
			continue
		}
		out = append(out, violationf("references %s %s, which the stack creates in namespace %q, not in the workload's namespace %q",
			kubernetesKind(ref.typ), ref.name.show(), elsewhere[0], ns))
	}
	return out
}

// refList is a list in a pod spec whose items name objects.
type refList struct {
	of value
	// names appends the names an item uses to refs.
	names func(refs []reference, item value) []reference
}

// podReferences lists every Secret, ConfigMap and ServiceAccount a pod spec names. Each list
// is read whole: one that is not known yet makes the rule undecided.
func podReferences(p pod) ([]reference, *value) {
	if p.spec.unknown() {
		return nil, &p.spec
	}
	cs, pending := p.containers()
	if pending != nil {
		return nil, pending
	}
	lists := []refList{
		{p.spec.key("imagePullSecrets"), func(refs []reference, s value) []reference {
			return append(refs, reference{TypeSecret, s.key("name")})
		}},
		{p.spec.key("volumes"), func(refs []reference, v value) []reference {
			return append(refs, reference{TypeSecret, v.at("secret.secretName")}, reference{TypeConfigMap, v.at("configMap.name")})
		}},
	}
	for _, v := range p.spec.key("volumes").items() {
		lists = append(lists, refList{v.at("projected.sources"), func(refs []reference, src value) []reference {
			return append(refs, reference{TypeSecret, src.at("secret.name")}, reference{TypeConfigMap, src.at("configMap.name")})
		}})
	}
	for _, c := range cs {
		lists = append(lists,
			refList{c.key("env"), func(refs []reference, e value) []reference {
				return append(refs, reference{TypeSecret, e.at("valueFrom.secretKeyRef.name")}, reference{TypeConfigMap, e.at("valueFrom.configMapKeyRef.name")})
			}},
			refList{c.key("envFrom"), func(refs []reference, e value) []reference {
				return append(refs, reference{TypeSecret, e.at("secretRef.name")}, reference{TypeConfigMap, e.at("configMapRef.name")})
			}})
	}
	refs := []reference{{TypeServiceAccount, p.spec.key("serviceAccountName")}}
	for _, l := range lists {
		items, pending := l.of.elems()
		if pending != nil {
			return nil, pending
		}
		for _, item := range items {
			refs = l.names(refs, item)
		}
	}
	// Keep the names that are set, or unknown (the rule then says it cannot decide).
	kept := refs[:0]
	for _, ref := range refs {
		if ref.name.set() || ref.name.unknown() {
			kept = append(kept, ref)
		}
	}
	return kept, nil
}

package rules

// disruptionBudgetRule: an api must keep serving while nodes are drained for upgrades (GKE
// auto-upgrade drains them regularly), which only a PodDisruptionBudget guarantees. It needs
// the whole stack: the Deployment, the Service in front of it, and the budget.
func disruptionBudgetRule() Rule {
	return Rule{
		ID:       "CONV-K8S-016",
		Severity: SeverityMedium,
		Description: "Every api Deployment (one that exposes a port or that a Service selects) has a " +
			"PodDisruptionBudget selecting its pods.",
		Remediation: "Create the component's PodDisruptionBudget (named naming.Workload(module, component)) in the " +
			"Deployment's namespace, with spec.selector.matchLabels = naming.SelectorLabels(module, component).",
		CheckStack: checkDisruptionBudgets,
	}
}

func checkDisruptionBudgets(s Stack) []Finding {
	var out []Finding
	idx := indexObjects(s)
	for _, d := range idx.of(TypeDeployment).all {
		out = append(out, checkDisruptionBudget(idx, d)...)
	}
	return out
}

func checkDisruptionBudget(idx *objectIndex, d object) []Finding {
	on := func(f Finding) []Finding { f.URN = d.URN; return []Finding{f} }
	p, _ := podOf(d.Resource)
	labels, pending := p.meta.key("labels").strMap()
	if pending == nil && d.namespace.unknown() {
		pending = &d.namespace
	}
	if pending != nil {
		return on(undecided(*pending))
	}
	ns := d.namespace.str()
	api, pending := isAPI(idx, p, ns, labels)
	if pending != nil {
		return on(undecided(*pending))
	}
	if !api {
		return nil
	}
	found, pending := idx.findIn(TypePDB, ns, func(pdb object) (bool, *value) {
		return selects(inputs(pdb.Resource).at("spec.selector"), labels, true, true)
	})
	switch {
	case found:
		return nil
	case pending != nil:
		return on(undecided(*pending))
	}
	return on(violationf("api Deployment %s has no PodDisruptionBudget selecting its pods in namespace %q", d.name.show(), ns))
}

// isAPI: an api component is the one kind with a port and a Service (see the module manifest).
func isAPI(idx *objectIndex, p pod, ns string, labels map[string]string) (bool, *value) {
	cs, pending := p.containers()
	if pending != nil {
		return false, pending
	}
	for _, c := range cs {
		ports := c.key("ports")
		if ports.unknown() {
			return false, &ports
		}
		if !c.init && len(ports.items()) > 0 {
			return true, nil
		}
	}
	return idx.findIn(TypeService, ns, func(svc object) (bool, *value) {
		return selects(inputs(svc.Resource).at("spec.selector"), labels, false, false)
	})
}

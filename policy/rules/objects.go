package rules

// object is a Kubernetes object of a stack, for the rules that relate objects to each other.
type object struct {
	Resource
	namespace value
	name      value
}

// objectsOf lists the stack's objects of the given type.
func objectsOf(s Stack, typ string) []object {
	var out []object
	for _, r := range s.Resources {
		if r.Type == typ {
			in := inputs(r)
			out = append(out, object{Resource: r, namespace: in.at("metadata.namespace"), name: in.at("metadata.name")})
		}
	}
	return out
}

// inNamespace reports whether the object is in namespace ns; pending when its namespace is not
// known yet.
func (o object) inNamespace(ns string) (in bool, pending *value) {
	if o.namespace.unknown() {
		return false, &o.namespace
	}
	return o.namespace.str() == ns, nil
}

// findIn looks for an object of type typ in namespace ns that satisfies match. When none does
// but some object could not be examined because a value is not known yet, pending is that
// value: the rule cannot decide.
func findIn(s Stack, typ, ns string, match func(object) (bool, *value)) (found bool, pending *value) {
	for _, o := range objectsOf(s, typ) {
		in, p := o.inNamespace(ns)
		if p == nil && in {
			var ok bool
			ok, p = match(o)
			if ok {
				return true, nil
			}
		}
		if p != nil && pending == nil {
			pending = p
		}
	}
	return false, pending
}

// selects reports whether a label selector (a Service's spec.selector map, or a
// metav1.LabelSelector with matchLabels and matchExpressions) selects pods with the labels.
// matchAll says what an empty selector selects: nothing for a Service, everything for a
// PodDisruptionBudget.
func selects(selector value, labels map[string]string, labelSelector, matchAll bool) (bool, *value) {
	if selector.unknown() {
		return false, &selector
	}
	matchLabels := selector
	if labelSelector {
		matchLabels = selector.key("matchLabels")
	}
	want, pending := matchLabels.strMap()
	if pending != nil {
		return false, pending
	}
	var exprs []value
	if labelSelector {
		e := selector.key("matchExpressions")
		if e.unknown() {
			return false, &e
		}
		exprs = e.items()
	}
	if len(want) == 0 && len(exprs) == 0 {
		return matchAll, nil
	}
	for k, v := range want {
		if labels[k] != v {
			return false, nil
		}
	}
	for _, e := range exprs {
		ok, p := matchesExpression(e, labels)
		if p != nil || !ok {
			return false, p
		}
	}
	return true, nil
}

// matchesExpression evaluates one matchExpressions requirement.
func matchesExpression(e value, labels map[string]string) (bool, *value) {
	if e.unknown() {
		return false, &e
	}
	key, op, vals := e.key("key").str(), e.key("operator").str(), e.key("values")
	got, has := labels[key]
	in := false
	for _, v := range vals.items() {
		if v.unknown() {
			return false, &v
		}
		in = in || (has && v.str() == got)
	}
	switch op {
	case "In":
		return in, nil
	case "NotIn":
		return !in, nil
	case "Exists":
		return has, nil
	case "DoesNotExist":
		return !has, nil
	}
	return false, nil
}

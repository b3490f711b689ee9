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

// objectIndex indexes a stack's objects by type and namespace, so that the rules that
// relate objects to each other look them up instead of scanning the whole stack for each
// object they check. A stack rule builds one per evaluation; types are indexed on first use.
type objectIndex struct {
	s      Stack
	byType map[string]*typeIndex
}

// typeIndex is the stack's objects of one type, in the stack's order.
type typeIndex struct {
	all []object
	// byNamespace are the positions in all of the objects whose namespace is known (an
	// object without a namespace is under "").
	byNamespace map[string][]int
	// unknownNamespace are the positions of the objects whose namespace is not known yet.
	unknownNamespace []int
}

func indexObjects(s Stack) *objectIndex {
	return &objectIndex{s: s, byType: map[string]*typeIndex{}}
}

// of is the index of the stack's objects of type typ.
func (x *objectIndex) of(typ string) *typeIndex {
	if t, ok := x.byType[typ]; ok {
		return t
	}
	t := &typeIndex{all: objectsOf(x.s, typ), byNamespace: map[string][]int{}}
	for i, o := range t.all {
		if o.namespace.unknown() {
			t.unknownNamespace = append(t.unknownNamespace, i)
			continue
		}
		ns := o.namespace.str()
		t.byNamespace[ns] = append(t.byNamespace[ns], i)
	}
	x.byType[typ] = t
	return t
}

// findIn looks for an object of type typ in namespace ns that satisfies match. When none does
// but some object could not be examined because a value is not known yet, pending is that
// value: the rule cannot decide. Only the objects in ns and those whose namespace is unknown
// can decide, and they are examined in the stack's order, as a scan of the whole stack would.
func (x *objectIndex) findIn(typ, ns string, match func(object) (bool, *value)) (found bool, pending *value) {
	t := x.of(typ)
	known, unknown := t.byNamespace[ns], t.unknownNamespace
	for len(known) > 0 || len(unknown) > 0 {
		var i int
		if len(unknown) == 0 || (len(known) > 0 && known[0] < unknown[0]) {
			i, known = known[0], known[1:]
		} else {
			i, unknown = unknown[0], unknown[1:]
		}
		o := t.all[i]
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

package rules

import "fmt"

// pod is the pod template of a workload: the pod's metadata and spec.
type pod struct {
	template value
	meta     value
	spec     value
}

// podOf is the pod template of a workload type; ok is false for other types.
func podOf(r Resource) (p pod, ok bool) {
	path, ok := workloadTypes[r.Type]
	if !ok {
		return pod{}, false
	}
	t := inputs(r)
	if path != "" {
		t = t.at(path)
	}
	return pod{template: t, meta: t.key("metadata"), spec: t.key("spec")}, true
}

// container is one container of a pod, with the name messages call it by.
type container struct {
	value
	label string // `container "api"` or `init container "migrate"`
	init  bool
}

// containers lists the pod's init containers and containers. When the pod spec or a list of
// containers is not known yet, pending is what the rule waits for.
func (p pod) containers() (cs []container, pending *value) {
	for _, list := range []struct {
		key, what string
		init      bool
	}{{"initContainers", "init container", true}, {"containers", "container", false}} {
		v := p.spec.key(list.key)
		if v.unknown() {
			return nil, &v
		}
		for i, c := range v.items() {
			if c.unknown() {
				return nil, &c
			}
			name := c.key("name")
			label := fmt.Sprintf("%s %s", list.what, name.show())
			if !name.set() || name.unknown() {
				label = fmt.Sprintf("%s #%d", list.what, i+1)
			}
			cs = append(cs, container{value: c, label: label, init: list.init})
		}
	}
	return cs, nil
}

// forContainers runs check on every container of a workload and gathers its findings; a pod
// whose containers are not known yet gives one undecided finding.
func forContainers(r Resource, check func(p pod, c container) []Finding) []Finding {
	p, ok := podOf(r)
	if !ok {
		return nil
	}
	cs, pending := p.containers()
	if pending != nil {
		return []Finding{undecided(*pending)}
	}
	var out []Finding
	for _, c := range cs {
		out = append(out, check(p, c)...)
	}
	return out
}

// effective is a container's security setting, or else the pod's: the container's value wins
// when it is set, as Kubernetes resolves it.
func effective(p pod, c container, path string) value {
	if v := c.at("securityContext." + path); v.set() || v.unknown() {
		return v
	}
	return p.spec.at("securityContext." + path)
}

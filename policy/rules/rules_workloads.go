package rules

import (
	"strings"

	distref "github.com/distribution/reference"
)

// NeedsKubernetesAPIAnnotation is the pod annotation that lets a pod mount its service account
// token. Its value is the reason the pod talks to the Kubernetes API.
const NeedsKubernetesAPIAnnotation = "conveyor.io/needs-kubernetes-api"

// The workload rules follow the Pod Security Standards' restricted profile, and Polaris and
// kube-score for what the standards leave out (read-only root, resources, probes, images).
func workloadRules() []Rule {
	return []Rule{
		containerRule("CONV-K8S-001", SeverityHigh,
			"Containers run as a non-root user (PSS restricted: runAsNonRoot).",
			"Set securityContext.runAsNonRoot: true on the pod (or every container), build the image with a numeric "+
				"non-root USER, and never set runAsUser: 0.",
			checkRunAsNonRoot),
		containerRule("CONV-K8S-002", SeverityHigh,
			"Containers cannot gain privileges (PSS restricted: allowPrivilegeEscalation false).",
			"Set securityContext.allowPrivilegeEscalation: false on every container and init container.",
			checkPrivilegeEscalation),
		containerRule("CONV-K8S-003", SeverityHigh,
			"Containers drop every Linux capability (PSS restricted: drop ALL, add at most NET_BIND_SERVICE).",
			"Set securityContext.capabilities.drop: [ALL] on every container; add back NET_BIND_SERVICE only, and only "+
				"if the process binds a port below 1024.",
			checkCapabilities),
		containerRule("CONV-K8S-004", SeverityHigh,
			"Containers run under the runtime's default seccomp profile (PSS restricted: seccompProfile).",
			"Set securityContext.seccompProfile.type: RuntimeDefault on the pod spec (or Localhost with a profile on "+
				"every container); never Unconfined.",
			checkSeccomp),
		podRule("CONV-K8S-005", SeverityCritical,
			"Pods do not share the node's network, PID or IPC namespaces (PSS baseline: host namespaces).",
			"Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false).",
			checkHostNamespaces),
		containerRule("CONV-K8S-006", SeverityHigh,
			"Containers do not bind ports on the node (PSS baseline: hostPorts).",
			"Remove hostPort from the container's ports; reach the pod through its Service.",
			checkHostPorts),
		podRule("CONV-K8S-007", SeverityCritical,
			"Pods do not mount directories of the node (PSS baseline: hostPath volumes).",
			"Replace the hostPath volume with an emptyDir, a ConfigMap, a Secret or a PersistentVolumeClaim.",
			checkHostPath),
		containerRule("CONV-K8S-008", SeverityCritical,
			"Containers are not privileged (PSS baseline: privileged containers).",
			"Remove securityContext.privileged (or set it to false).",
			checkPrivileged),
		containerRule("CONV-K8S-009", SeverityMedium,
			"Containers have a read-only root filesystem (Polaris, kube-score).",
			"Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process must write "+
				"(for example /tmp).",
			checkReadOnlyRoot),
		containerRule("CONV-K8S-010", SeverityMedium,
			"Containers request and limit CPU and memory (Polaris, kube-score).",
			"Set resources.requests.cpu, resources.requests.memory, resources.limits.cpu and resources.limits.memory "+
				"(the component's resources in its manifest; Conveyor fills in the defaults).",
			checkResources),
		{
			ID:       "CONV-K8S-011",
			Severity: SeverityMedium,
			Description: "Containers of a Deployment or StatefulSet that expose a port have readiness and liveness " +
				"probes (kube-score, Polaris).",
			Remediation: "Give the container a readinessProbe and a livenessProbe on its port (the component's probes in " +
				"its manifest; Conveyor defaults both to GET /healthz).",
			Types: []string{TypeDeployment, TypeStatefulSet},
			Check: func(r Resource) []Finding { return forContainers(r, checkProbes) },
		},
		containerRule("CONV-K8S-012", SeverityHigh,
			"Images are pinned to a version tag or a digest, never latest nor untagged (Polaris, kube-score).",
			"Reference the image as registry/name:<version> or registry/name@sha256:<digest>.",
			checkImageTag),
		{
			ID:          "CONV-K8S-013",
			Severity:    SeverityMedium,
			Description: "No bare Pods: pods are run by a Deployment, StatefulSet, Job or CronJob (kube-score).",
			Remediation: "Run the pod from a Deployment (long-running) or a Job (run to completion) instead.",
			Types:       []string{TypePod},
			Check: func(Resource) []Finding {
				return []Finding{violationf("is a bare Pod: nothing recreates it when its node fails or is drained")}
			},
		},
		{
			ID:          "CONV-K8S-014",
			Severity:    SeverityHigh,
			Description: "Services are not exposed outside the cluster (no LoadBalancer or NodePort).",
			Remediation: "Use a ClusterIP Service; expose an api to the outside through the platform's ingress.",
			Types:       []string{TypeService},
			Check:       checkServiceType,
		},
		podRule("CONV-K8S-015", SeverityMedium,
			"Pods do not mount a service account token unless they say why they need the Kubernetes API.",
			"Set automountServiceAccountToken: false on the pod spec, or annotate the pod template with "+
				NeedsKubernetesAPIAnnotation+": \"<why it calls the Kubernetes API>\".",
			checkAutomount),
	}
}

// containerRule is a rule that checks every container of every kind of workload.
func containerRule(id string, severity Severity, description, remediation string, check func(pod, container) []Finding) Rule {
	return Rule{ID: id, Severity: severity, Description: description, Remediation: remediation,
		Types: WorkloadTypes(), Check: func(r Resource) []Finding { return forContainers(r, check) }}
}

// podRule is a rule that checks the pod template of every kind of workload.
func podRule(id string, severity Severity, description, remediation string, check func(pod) []Finding) Rule {
	return Rule{ID: id, Severity: severity, Description: description, Remediation: remediation,
		Types: WorkloadTypes(), Check: func(r Resource) []Finding {
			p, ok := podOf(r)
			if !ok {
				return nil
			}
			if p.spec.unknown() {
				return []Finding{undecided(p.spec)}
			}
			return check(p)
		}}
}

// require reports v when it is not known yet, or when it is known and bad.
func require(v value, bad bool, format string, args ...any) []Finding {
	switch {
	case v.unknown():
		return []Finding{undecided(v)}
	case bad:
		return []Finding{violationf(format, args...)}
	}
	return nil
}

func checkRunAsNonRoot(p pod, c container) []Finding {
	nonRoot, user := effective(p, c, "runAsNonRoot"), effective(p, c, "runAsUser")
	out := require(nonRoot, !nonRoot.isTrue(), "%s: securityContext.runAsNonRoot is not true (on the container or the pod)", c.label)
	uid, isNumber := user.number()
	return append(out, require(user, isNumber && uid == 0, "%s: securityContext.runAsUser is 0 (root)", c.label)...)
}

func checkPrivilegeEscalation(_ pod, c container) []Finding {
	v := c.at("securityContext.allowPrivilegeEscalation")
	return require(v, !v.isFalse(), "%s: securityContext.allowPrivilegeEscalation is not false", c.label)
}

func checkCapabilities(_ pod, c container) []Finding {
	drop, add := c.at("securityContext.capabilities.drop"), c.at("securityContext.capabilities.add")
	if drop.unknown() {
		return []Finding{undecided(drop)}
	}
	var out []Finding
	dropsAll := false
	for _, d := range drop.items() {
		if d.unknown() {
			return []Finding{undecided(d)}
		}
		dropsAll = dropsAll || d.str() == "ALL"
	}
	if !dropsAll {
		out = append(out, violationf("%s: securityContext.capabilities.drop does not contain ALL", c.label))
	}
	if add.unknown() {
		return append(out, undecided(add))
	}
	for _, a := range add.items() {
		out = append(out, require(a, a.str() != "NET_BIND_SERVICE",
			"%s: securityContext.capabilities.add adds %s (only NET_BIND_SERVICE is allowed)", c.label, a.show())...)
	}
	return out
}

func checkSeccomp(p pod, c container) []Finding {
	t := effective(p, c, "seccompProfile.type")
	switch {
	case t.unknown():
		return []Finding{undecided(t)}
	case !t.set():
		return []Finding{violationf("%s: seccompProfile.type is not set on the container or the pod (want RuntimeDefault or Localhost)", c.label)}
	case t.str() != "RuntimeDefault" && t.str() != "Localhost":
		return []Finding{violationf("%s: seccompProfile.type is %s (want RuntimeDefault or Localhost)", c.label, t.show())}
	}
	return nil
}

func checkHostNamespaces(p pod) []Finding {
	var out []Finding
	for _, key := range []string{"hostNetwork", "hostPID", "hostIPC"} {
		v := p.spec.key(key)
		out = append(out, require(v, v.isTrue(), "%s is true", v.path)...)
	}
	return out
}

func checkHostPorts(_ pod, c container) []Finding {
	ports := c.key("ports")
	if ports.unknown() {
		return []Finding{undecided(ports)}
	}
	var out []Finding
	for _, port := range ports.items() {
		hp := port.key("hostPort")
		n, _ := hp.number()
		out = append(out, require(hp, n != 0, "%s: containerPort %s is bound to hostPort %s",
			c.label, port.key("containerPort").show(), hp.show())...)
	}
	return out
}

func checkHostPath(p pod) []Finding {
	volumes := p.spec.key("volumes")
	if volumes.unknown() {
		return []Finding{undecided(volumes)}
	}
	var out []Finding
	for _, v := range volumes.items() {
		hp := v.key("hostPath")
		out = append(out, require(hp, hp.set(), "volume %s is a hostPath volume", v.key("name").show())...)
	}
	return out
}

func checkPrivileged(_ pod, c container) []Finding {
	v := c.at("securityContext.privileged")
	return require(v, v.isTrue(), "%s: securityContext.privileged is true", c.label)
}

func checkReadOnlyRoot(_ pod, c container) []Finding {
	v := c.at("securityContext.readOnlyRootFilesystem")
	return require(v, !v.isTrue(), "%s: securityContext.readOnlyRootFilesystem is not true", c.label)
}

func checkResources(_ pod, c container) []Finding {
	var missing []string
	for _, key := range []string{"requests.cpu", "requests.memory", "limits.cpu", "limits.memory"} {
		v := c.at("resources." + key)
		if v.unknown() {
			return []Finding{undecided(v)}
		}
		if !v.set() {
			missing = append(missing, "resources."+key)
		}
	}
	if len(missing) > 0 {
		return []Finding{violationf("%s: not set: %s", c.label, strings.Join(missing, ", "))}
	}
	return nil
}

func checkProbes(_ pod, c container) []Finding {
	ports := c.key("ports")
	if c.init {
		return nil
	}
	if ports.unknown() {
		return []Finding{undecided(ports)}
	}
	if len(ports.items()) == 0 {
		return nil
	}
	var missing []string
	for _, probe := range []string{"readinessProbe", "livenessProbe"} {
		v := c.key(probe)
		if v.unknown() {
			return []Finding{undecided(v)}
		}
		if !v.set() {
			missing = append(missing, probe)
		}
	}
	if len(missing) > 0 {
		return []Finding{violationf("%s exposes a port but has no %s", c.label, strings.Join(missing, " and no "))}
	}
	return nil
}

func checkImageTag(_ pod, c container) []Finding {
	img := c.key("image")
	switch {
	case img.unknown():
		return []Finding{undecided(img)}
	case !img.set():
		return []Finding{violationf("%s has no image", c.label)}
	}
	tag, err := imageTag(img.str())
	switch {
	case err != nil:
		return []Finding{violationf("%s: image %s is not a valid image reference: %v", c.label, img.show(), err)}
	case tag == "":
		return []Finding{violationf("%s: image %s has no tag", c.label, img.show())}
	case tag == "latest":
		return []Finding{violationf("%s: image %s uses the latest tag", c.label, img.show())}
	}
	return nil
}

// imageTag is the tag of an image reference, parsed the way registries and the container
// runtime read it (a colon may belong to a registry's port); "@digest" for a pinned digest,
// "" when untagged.
func imageTag(ref string) (string, error) {
	named, err := distref.ParseNormalizedNamed(ref)
	if err != nil {
		return "", err
	}
	if d, ok := named.(distref.Digested); ok {
		return "@" + d.Digest().String(), nil
	}
	if t, ok := named.(distref.Tagged); ok {
		return t.Tag(), nil
	}
	return "", nil
}

func checkServiceType(r Resource) []Finding {
	t := inputs(r).at("spec.type")
	exposed := t.str() == "LoadBalancer" || t.str() == "NodePort"
	return require(t, exposed, "spec.type is %s: the Service is reachable from outside the cluster", t.show())
}

func checkAutomount(p pod) []Finding {
	reason := p.meta.key("annotations").key(NeedsKubernetesAPIAnnotation)
	switch {
	case reason.unknown():
		return []Finding{undecided(reason)}
	case reason.set() && strings.TrimSpace(reason.str()) == "":
		return []Finding{violationf("annotation %s gives no reason", NeedsKubernetesAPIAnnotation)}
	case reason.set():
		return nil
	}
	v := p.spec.key("automountServiceAccountToken")
	return require(v, !v.isFalse(), "%s is not false, and the pod does not say why it needs the Kubernetes API (annotation %s)",
		v.path, NeedsKubernetesAPIAnnotation)
}

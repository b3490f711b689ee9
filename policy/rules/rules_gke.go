package rules

import "strings"

// The GKE rules follow the CIS GKE benchmark and Checkov's/Trivy's GKE checks.
func gkeRules() []Rule {
	cluster, both := []string{TypeGKECluster}, []string{TypeGKECluster, TypeGKENodePool}
	return []Rule{
		{
			ID: "CONV-GKE-001", Severity: SeverityHigh, Types: cluster,
			Description: "GKE nodes have no public IP address (private nodes; CIS GKE).",
			Remediation: "Set privateClusterConfig.enablePrivateNodes: true (nodes reach the internet through the " +
				"cluster's Cloud NAT).",
			Check: func(r Resource) []Finding {
				v := inputs(r).at("privateClusterConfig.enablePrivateNodes")
				return require(v, !v.isTrue(), "privateClusterConfig.enablePrivateNodes is not true")
			},
		},
		{
			ID: "CONV-GKE-002", Severity: SeverityHigh, Types: both,
			Description: "Workloads authenticate with Workload Identity, never with the node's credentials (CIS GKE).",
			Remediation: "Set workloadIdentityConfig.workloadPool: <project>.svc.id.goog on the cluster, and " +
				"nodeConfig.workloadMetadataConfig.mode: GKE_METADATA on every node pool.",
			Check: checkWorkloadIdentity,
		},
		{
			ID: "CONV-GKE-003", Severity: SeverityMedium, Types: both,
			Description: "Nodes are Shielded GKE nodes with secure boot (CIS GKE).",
			Remediation: "Set enableShieldedNodes: true on the cluster and nodeConfig.shieldedInstanceConfig.enableSecureBoot: " +
				"true on every node pool.",
			Check: checkShieldedNodes,
		},
		{
			ID: "CONV-GKE-004", Severity: SeverityMedium, Types: cluster,
			Description: "The cluster is enrolled in a release channel, so it gets security patches (CIS GKE).",
			Remediation: "Set releaseChannel.channel: REGULAR (or STABLE for production).",
			Check: func(r Resource) []Finding {
				v := inputs(r).at("releaseChannel.channel")
				return require(v, v.str() == "" || v.str() == "UNSPECIFIED", "releaseChannel.channel is not set")
			},
		},
		{
			ID: "CONV-GKE-005", Severity: SeverityHigh, Types: cluster,
			Description: "The cluster enforces NetworkPolicies (CIS GKE): network policy enabled or Dataplane V2.",
			Remediation: "Set datapathProvider: ADVANCED_DATAPATH (Dataplane V2), or networkPolicy.enabled: true.",
			Check: func(r Resource) []Finding {
				in := inputs(r)
				dataplane, policy := in.key("datapathProvider"), in.at("networkPolicy.enabled")
				if dataplane.str() == "ADVANCED_DATAPATH" || policy.isTrue() {
					return nil
				}
				if dataplane.unknown() {
					return []Finding{undecided(dataplane)}
				}
				return require(policy, true, "neither networkPolicy.enabled is true nor datapathProvider is ADVANCED_DATAPATH")
			},
		},
		{
			ID: "CONV-GKE-006", Severity: SeverityCritical, Types: cluster,
			Description: "Legacy ABAC authorization is off (CIS GKE).",
			Remediation: "Remove enableLegacyAbac (or set it to false); grant access with RBAC and IAM.",
			Check: func(r Resource) []Finding {
				v := inputs(r).key("enableLegacyAbac")
				return require(v, v.isTrue(), "enableLegacyAbac is true")
			},
		},
		{
			ID: "CONV-GKE-007", Severity: SeverityHigh, Types: cluster,
			Description: "No static credentials to the control plane: no basic auth, no client certificate (CIS GKE).",
			Remediation: "Remove masterAuth.username and masterAuth.password, and set " +
				"masterAuth.clientCertificateConfig.issueClientCertificate: false (or leave masterAuth out).",
			Check: checkMasterAuth,
		},
		{
			ID: "CONV-GKE-008", Severity: SeverityHigh, Types: both,
			Description: "Nodes run as a dedicated least-privilege service account, not the Compute Engine default (CIS GKE).",
			Remediation: "Set nodeConfig.serviceAccount to the cluster's node service account " +
				"(naming.NodeServiceAccountID(cluster)@<project>.iam.gserviceaccount.com).",
			Check: checkNodeServiceAccount,
		},
		{
			ID: "CONV-GKE-009", Severity: SeverityMedium, Types: []string{TypeGKENodePool},
			Description: "Node pools repair and upgrade their nodes automatically (CIS GKE).",
			Remediation: "Set management.autoRepair: true and management.autoUpgrade: true on the node pool.",
			Check: func(r Resource) []Finding {
				var out []Finding
				for _, key := range []string{"autoRepair", "autoUpgrade"} {
					v := inputs(r).at("management." + key)
					out = append(out, require(v, !v.isTrue(), "%s is not true", v.path)...)
				}
				return out
			},
		},
	}
}

// nodeConfig is the node configuration a rule must check: a node pool's, or a cluster's own
// when it keeps its default node pool. ok is false when the cluster removes its default pool
// (its nodes are then all in NodePool resources, checked on their own) or is an Autopilot
// cluster (Google manages its nodes).
func nodeConfig(r Resource) (v value, ok bool) {
	in := inputs(r)
	if r.Type == TypeGKECluster && (in.key("removeDefaultNodePool").isTrue() || in.key("enableAutopilot").isTrue()) {
		return value{}, false
	}
	return in.key("nodeConfig"), true
}

func checkWorkloadIdentity(r Resource) []Finding {
	var out []Finding
	if r.Type == TypeGKECluster {
		pool := inputs(r).at("workloadIdentityConfig.workloadPool")
		out = require(pool, pool.str() == "", "workloadIdentityConfig.workloadPool is not set")
	}
	if nc, ok := nodeConfig(r); ok {
		switch mode := nc.at("workloadMetadataConfig.mode"); {
		case mode.unknown():
			out = append(out, undecided(mode))
		case !mode.set():
			out = append(out, violationf("%s is not set (want GKE_METADATA)", mode.path))
		case mode.str() != "GKE_METADATA":
			out = append(out, violationf("%s is %s (want GKE_METADATA)", mode.path, mode.show()))
		}
	}
	return out
}

func checkShieldedNodes(r Resource) []Finding {
	var out []Finding
	if r.Type == TypeGKECluster {
		v := inputs(r).key("enableShieldedNodes")
		out = require(v, !v.isTrue(), "enableShieldedNodes is not true")
	}
	if nc, ok := nodeConfig(r); ok {
		v := nc.at("shieldedInstanceConfig.enableSecureBoot")
		out = append(out, require(v, !v.isTrue(), "%s is not true", v.path)...)
	}
	return out
}

func checkMasterAuth(r Resource) []Finding {
	auth := inputs(r).key("masterAuth")
	user, password := auth.key("username"), auth.key("password")
	issue := auth.at("clientCertificateConfig.issueClientCertificate")
	out := require(user, user.str() != "", "masterAuth.username is set: basic authentication is on")
	out = append(out, require(password, password.str() != "", "masterAuth.password is set: basic authentication is on")...)
	return append(out, require(issue, issue.isTrue(), "masterAuth.clientCertificateConfig.issueClientCertificate is true")...)
}

// defaultComputeAccountSuffix ends the email of a project's Compute Engine default service
// account, which has the Editor role on the project.
const defaultComputeAccountSuffix = "-compute@developer.gserviceaccount.com"

func checkNodeServiceAccount(r Resource) []Finding {
	nc, ok := nodeConfig(r)
	if !ok {
		return nil
	}
	sa := nc.key("serviceAccount")
	switch {
	case sa.unknown():
		return []Finding{undecided(sa)}
	case sa.str() == "" || sa.str() == "default":
		return []Finding{violationf("%s is not set: nodes would run as the Compute Engine default service account", sa.path)}
	case strings.HasSuffix(sa.str(), defaultComputeAccountSuffix):
		return []Finding{violationf("%s is the Compute Engine default service account", sa.path)}
	}
	return nil
}

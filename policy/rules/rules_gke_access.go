package rules

import (
	"net"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// gkeAccessRules hold who reaches a cluster and what protects it and its database instance.
func gkeAccessRules() []Rule {
	cluster := []string{TypeGKECluster}
	return []Rule{
		{
			ID: "CONV-GKE-010", Severity: SeverityCritical, Types: cluster,
			Description: "The control plane is not open to the internet: a private endpoint, or authorized networks " +
				"each private or a public range of /24 or narrower, and no Google Cloud public address (CIS GKE).",
			Remediation: "Set masterAuthorizedNetworksConfig with the deploy pipeline's ranges (conveyor:controlPlane." +
				"authorizedNetworks) and gcpPublicCidrsAccessEnabled: false, or privateClusterConfig.enablePrivateEndpoint: true.",
			Check: checkControlPlaneAccess,
		},
		{
			ID: "CONV-GKE-011", Severity: SeverityHigh, Types: cluster,
			Description: "The cluster resolves Google groups in RBAC (Google Groups for RBAC), so that the teams' " +
				"RoleBindings, which name Google groups, apply.",
			Remediation: "Set authenticatorGroupsConfig.securityGroup: gke-security-groups@<your-domain> (conveyor:securityGroup).",
			Check: func(r Resource) []Finding {
				v := inputs(r).at("authenticatorGroupsConfig.securityGroup")
				if v.unknown() {
					return []Finding{undecided(v)}
				}
				if !strings.HasPrefix(v.str(), "gke-security-groups@") {
					return []Finding{violationf("%s is %s, not gke-security-groups@<domain>: RoleBindings to Google groups grant nothing", v.path, v.show())}
				}
				return nil
			},
		},
		{
			ID: "CONV-GKE-012", Severity: SeverityHigh, Types: cluster,
			Description: "Every cluster refuses to be deleted until its deletion protection is turned off.",
			Remediation: "Set deletionProtection: true on the cluster (it costs nothing: turn it off in the same change " +
				"that really means to delete the cluster).",
			Check: func(r Resource) []Finding {
				v := inputs(r).key("deletionProtection")
				// The provider's default is true: only an explicit false turns it off.
				return require(v, v.isFalse(), "deletionProtection is false")
			},
		},
	}
}

func checkControlPlaneAccess(r Resource) []Finding {
	in := inputs(r)
	private := in.at("privateClusterConfig.enablePrivateEndpoint")
	if private.isTrue() {
		return nil
	}
	networks := in.key("masterAuthorizedNetworksConfig")
	switch {
	case private.unknown():
		return []Finding{undecided(private)}
	case networks.unknown():
		return []Finding{undecided(networks)}
	case !networks.set():
		return []Finding{violationf("masterAuthorizedNetworksConfig is not set and the endpoint is public: every address reaches the control plane")}
	}
	var out []Finding
	if public := networks.key("gcpPublicCidrsAccessEnabled"); public.unknown() {
		out = append(out, undecided(public))
	} else if !public.isFalse() {
		out = append(out, violationf("%s is not false: every Google Cloud public address reaches the control plane", public.path))
	}
	for _, block := range networks.key("cidrBlocks").items() {
		cidr := block.key("cidrBlock")
		if cidr.unknown() {
			out = append(out, undecided(cidr))
			continue
		}
		if _, ipnet, err := net.ParseCIDR(cidr.str()); err == nil {
			if ones, _ := ipnet.Mask.Size(); ones == 0 {
				out = append(out, violationf("%s is %s: the whole internet reaches the control plane", cidr.path, cidr.show()))
			} else if naming.CheckControlPlaneRange(cidr.str()) != nil {
				out = append(out, violationf("%s is %s: a public range wider than /%d reaches the control plane", cidr.path, cidr.show(), naming.MinPublicControlPlanePrefix))
			}
		}
	}
	return out
}

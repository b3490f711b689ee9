package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/container"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/manifest"
	"github.com/conveyor-paas/conveyor/naming"
)

// SQLEdition is the Cloud SQL edition of every shared instance. Its tiers are db-custom-*,
// db-f1-micro and db-g1-small; Enterprise Plus takes only db-perf-optimized-* tiers.
const SQLEdition = "ENTERPRISE"

// SQLSSLMode is what every Cloud SQL instance requires of a connection: a client certificate
// the instance trusts, which only the SQL Admin API issues (to the Cloud SQL Auth Proxy, for
// an identity with roles/cloudsql.client on the instance).
const SQLSSLMode = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"

// SecurityGroupPrefix starts the only group name GKE accepts for Google Groups for RBAC.
const SecurityGroupPrefix = "gke-security-groups@"

// CheckSecurityGroup says whether group can be a cluster's Google Groups for RBAC group: the
// only name GKE accepts, in a domain that can be an organisation's. A reserved example
// domain (RFC 2606: example.com, example.org, example.net, *.example, *.test, *.invalid,
// *.localhost) is a placeholder: a cluster with it resolves no team's group.
func CheckSecurityGroup(group string) error {
	domain, ok := strings.CutPrefix(group, SecurityGroupPrefix)
	if !ok || !strings.Contains(domain, ".") || strings.ContainsAny(domain, "@ ") {
		return fmt.Errorf("%q is not %s<your-domain>, the only name GKE accepts for Google Groups for RBAC", group, SecurityGroupPrefix)
	}
	if placeholderDomain(domain) {
		return fmt.Errorf("%q is a placeholder, not your organisation's group: set it to %s<your Workspace domain>", group, SecurityGroupPrefix)
	}
	return nil
}

// OrganizationDomain is the domain of a cluster's Google Groups for RBAC group: the
// organisation's Workspace domain, whose groups the cluster resolves.
func OrganizationDomain(securityGroup string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(securityGroup, SecurityGroupPrefix), "."))
}

// CheckTeams refuses a catalog whose spaces' teams are not groups of the organisation's
// domain (the cluster's, OrganizationDomain), naming the space file, line and field: Google
// Groups for RBAC resolves only the groups of that domain, and a team's RoleBinding to any
// other address grants either nothing or, to a look-alike domain's group, someone else. An
// empty domain (a local cluster) checks nothing. origin says where the domain is set.
func CheckTeams(cat *manifest.Catalog, domain, origin string) error {
	if domain == "" {
		return nil
	}
	var errs manifest.Errors
	for _, s := range cat.Spaces {
		local, at, ok := strings.Cut(strings.ToLower(s.Team), "@")
		if !ok || local == "" || at != domain {
			errs = append(errs, s.ErrorAt("team", "%q is not a group of the organisation's domain %s (%s): the cluster resolves only its groups; name the team's group as <group>@%s",
				s.Team, domain, origin, domain))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("the catalog's teams are not the organisation's; nothing was deployed:\n%w", errs)
}

func placeholderDomain(domain string) bool {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	switch domain {
	case "example.com", "example.org", "example.net":
		return true
	}
	for _, tld := range []string{".example", ".test", ".invalid", ".localhost"} {
		if strings.HasSuffix(domain, tld) {
			return true
		}
	}
	return false
}

// CheckAuthorizedNetworks says whether the ranges can reach a control plane: each is a
// CIDR, private or a narrow public range (naming.CheckControlPlaneRange), so that neither
// one range nor several together open it to the internet.
func CheckAuthorizedNetworks(networks []AuthorizedNetwork) error {
	for i, n := range networks {
		if err := naming.CheckControlPlaneRange(n.CIDR); err != nil {
			return fmt.Errorf("authorizedNetworks[%d] (%s): %w: it may not reach the control plane", i, n.Name, err)
		}
	}
	return nil
}

func checkControlPlane(args *GKEClusterArgs) error {
	if err := CheckSecurityGroup(args.SecurityGroup); err != nil {
		return fmt.Errorf("security group: %w", err)
	}
	return CheckAuthorizedNetworks(args.ControlPlane.AuthorizedNetworks)
}

// authorizedNetworks is always set, so that an empty list means no public network rather
// than every one; Google Cloud's own public addresses are not let in either.
func authorizedNetworks(cp ControlPlaneAccess) *container.ClusterMasterAuthorizedNetworksConfigArgs {
	blocks := container.ClusterMasterAuthorizedNetworksConfigCidrBlockArray{}
	for _, n := range cp.AuthorizedNetworks {
		blocks = append(blocks, container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs{
			CidrBlock: pulumi.String(n.CIDR), DisplayName: pulumi.String(n.Name),
		})
	}
	return &container.ClusterMasterAuthorizedNetworksConfigArgs{
		CidrBlocks:                  blocks,
		GcpPublicCidrsAccessEnabled: pulumi.Bool(false),
	}
}

package components

import (
	"fmt"
	"net"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/container"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// SQLEdition is the Cloud SQL edition of every shared instance. Its tiers are db-custom-*,
// db-f1-micro and db-g1-small; Enterprise Plus takes only db-perf-optimized-* tiers.
const SQLEdition = "ENTERPRISE"

// SecurityGroupPrefix starts the only group name GKE accepts for Google Groups for RBAC.
const SecurityGroupPrefix = "gke-security-groups@"

// CheckSecurityGroup says whether group can be a cluster's Google Groups for RBAC group.
func CheckSecurityGroup(group string) error {
	domain, ok := strings.CutPrefix(group, SecurityGroupPrefix)
	if !ok || !strings.Contains(domain, ".") || strings.ContainsAny(domain, "@ ") {
		return fmt.Errorf("%q is not %s<your-domain>, the only name GKE accepts for Google Groups for RBAC", group, SecurityGroupPrefix)
	}
	return nil
}

// CheckAuthorizedNetworks says whether the ranges can reach a control plane: each is a
// CIDR, and none opens it to every address.
func CheckAuthorizedNetworks(networks []AuthorizedNetwork) error {
	for i, n := range networks {
		_, ipnet, err := net.ParseCIDR(n.CIDR)
		if err != nil {
			return fmt.Errorf("authorizedNetworks[%d] (%s): %q is not a CIDR range", i, n.Name, n.CIDR)
		}
		if ones, _ := ipnet.Mask.Size(); ones == 0 {
			return fmt.Errorf("authorizedNetworks[%d] (%s): %s opens the control plane to the whole internet", i, n.Name, n.CIDR)
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

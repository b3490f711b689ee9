package components

import (
	"fmt"
	"net/netip"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/dns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// privateGoogleAPIsName is the name Google gives the addresses of privateGoogleAPIs.
const privateGoogleAPIsName = "private.googleapis.com."

// privateGoogleAccessDNS makes the VPC resolve every *.googleapis.com name to
// private.googleapis.com, as Private Google Access for a private cluster is documented: pods
// then reach Google APIs at privateGoogleAPIs, the one range their egress policy allows on
// 443, instead of at public addresses that would open the internet to them.
func (g *gke) privateGoogleAccessDNS(network *compute.Network) error {
	name := naming.PrivateGoogleAPIsZone(g.args.Name)
	zone, err := dns.NewManagedZone(g.ctx, name, &dns.ManagedZoneArgs{
		Name:        pulumi.String(name),
		Project:     pulumi.String(g.args.Project),
		DnsName:     pulumi.String("googleapis.com."),
		Description: pulumi.String("Google APIs through Private Google Access, for the cluster's network policies"),
		Visibility:  pulumi.String("private"),
		Labels:      g.labels,
		PrivateVisibilityConfig: &dns.ManagedZonePrivateVisibilityConfigArgs{
			Networks: dns.ManagedZonePrivateVisibilityConfigNetworkArray{
				dns.ManagedZonePrivateVisibilityConfigNetworkArgs{NetworkUrl: network.ID()},
			},
		},
	}, g.opts()...)
	if err != nil {
		return fmt.Errorf("private google access zone: %w", err)
	}
	var addresses pulumi.StringArray
	prefix := netip.MustParsePrefix(privateGoogleAPIs)
	for a := prefix.Addr(); prefix.Contains(a); a = a.Next() {
		addresses = append(addresses, pulumi.String(a.String()))
	}
	for _, r := range []struct {
		name, typ string
		data      pulumi.StringArray
	}{
		{privateGoogleAPIsName, "A", addresses},
		{"*.googleapis.com.", "CNAME", pulumi.StringArray{pulumi.String(privateGoogleAPIsName)}},
	} {
		if _, err := dns.NewRecordSet(g.ctx, name+"/"+r.name, &dns.RecordSetArgs{
			ManagedZone: zone.Name,
			Project:     pulumi.String(g.args.Project),
			Name:        pulumi.String(r.name),
			Type:        pulumi.String(r.typ),
			Ttl:         pulumi.Int(300),
			Rrdatas:     r.data,
		}, g.opts()...); err != nil {
			return fmt.Errorf("private google access record %s: %w", r.name, err)
		}
	}
	return nil
}

package naming

import (
	"fmt"
	"net/netip"
)

// MinPublicControlPlanePrefix is the widest public IPv4 range a cluster's control plane
// admits (authorized networks): a /24, 256 addresses, a pipeline's or an office's egress. A
// wider public range admits addresses nobody vouches for, and a few of them cover the
// internet without any being 0.0.0.0/0 (0.0.0.0/1 and 128.0.0.0/1). An IPv6 range, a
// network's, is a /64 at the widest.
const (
	MinPublicControlPlanePrefix   = 24
	MinPublicControlPlanePrefixV6 = 64
)

// privateRanges are the address blocks no one reaches from the internet (RFC 1918, the shared
// address space of RFC 6598, IPv6's unique local addresses).
var privateRanges = [...]netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("fc00::/7"),
}

// CheckControlPlaneRange says whether cidr may reach a control plane: a CIDR range that lies
// within a private block, or a public one of at least MinPublicControlPlanePrefix bits. The
// program refuses such a range and the policy pack reports it, from this one rule.
func CheckControlPlaneRange(cidr string) error {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return fmt.Errorf("%q is not a CIDR range", cidr)
	}
	p = p.Masked()
	for _, private := range privateRanges {
		if private.Bits() <= p.Bits() && private.Contains(p.Addr()) {
			return nil
		}
	}
	if p.Bits() == 0 {
		return fmt.Errorf("%s is the whole internet", cidr)
	}
	minBits := MinPublicControlPlanePrefix
	if p.Addr().Is6() {
		minBits = MinPublicControlPlanePrefixV6
	}
	if p.Bits() < minBits {
		return fmt.Errorf("%s is a public range wider than /%d", cidr, minBits)
	}
	return nil
}

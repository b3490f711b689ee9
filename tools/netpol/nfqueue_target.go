// This file is not built in this module: tests/harness (nodepolicy.go) copies it into the
// agent's pkg/networkpolicy when it stages the patched agent, and the agent's queue rules
// call it instead of building nftables' queue expression.
//
// Why: kube-network-policies hands the first packet of each new connection to itself with
// nftables' `queue` expression, which needs CONFIG_NFT_QUEUE; CI's kernel is built without it,
// so adding those rules fails with "netlink receive: no such file or directory" and nothing
// is enforced. The kernel has the xtables NFQUEUE target (CONFIG_NETFILTER_XT_TARGET_NFQUEUE),
// which nftables reaches through nft_compat (`target` expression), and whose verdict is the
// same NF_QUEUE verdict the queue expression gives: the agent's nfqueue reader sees no
// difference.

//go:build ignore

package networkpolicy

import (
	"encoding/binary"

	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"
)

// nfqFlagBypass is NFQ_FLAG_BYPASS of linux/netfilter/xt_NFQUEUE.h: accept the packet when
// no program listens on the queue (the agent's --fail-open).
const nfqFlagBypass = 0x01

// nfqueueTarget is `-j NFQUEUE --queue-num num [--queue-bypass]`, revision 3. Its info is
// struct xt_NFQ_info_v3 { __u16 queuenum; __u16 queues_total; __u16 flags; } in the host's
// byte order, padded to XT_ALIGN (8 bytes) as iptables-nft sends it. queues_total is 1: one
// queue (the kernel refuses 0).
func nfqueueTarget(num uint16, bypass bool) *expr.Target {
	info := make(xt.Unknown, 8)
	binary.NativeEndian.PutUint16(info[0:], num)
	binary.NativeEndian.PutUint16(info[2:], 1)
	if bypass {
		binary.NativeEndian.PutUint16(info[4:], nfqFlagBypass)
	}
	return &expr.Target{Name: "NFQUEUE", Rev: 3, Info: &info}
}

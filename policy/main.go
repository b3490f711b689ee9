// Command policy is Conveyor's Pulumi policy pack. Pulumi builds and runs it (PulumiPolicy.yaml,
// runtime: go) when a stack is previewed or updated with --policy-pack:
//
//	pulumi preview --stack dev --policy-pack policy
//
// Each rule of policy/rules becomes one Pulumi policy named by its ID, so the engine shows the
// ID with each violation and a --policy-pack-config file can set each rule's level.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

func main() {
	// The engine configures the stack before it asks which policies the pack has, so the
	// pack is built for the stack being deployed and each rule's default level is that
	// stack's.
	err := policyx.Main(func(ctx *pulumi.Context) (policyx.PolicyPack, error) {
		return newPack(ctx.Stack())
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "conveyor policy pack: %v\n", err)
		os.Exit(1)
	}
}

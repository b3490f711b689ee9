// Command platform is the Pulumi program `pulumi up -s <stack>` runs (Pulumi.yaml's main).
// It is the same stacks.Program the conveyor command runs through the Automation API.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/stacks"
)

func main() {
	pulumi.Run(stacks.Program)
}

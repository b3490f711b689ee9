// Command platform is the Pulumi program `pulumi up -s <stack>` runs (Pulumi.yaml's main).
// It is the same stacks.Program the conveyor command runs through the Automation API. With
// CONVEYOR_TEARDOWN=1 it runs stacks.TeardownProgram, the update that drops an environment's
// databases before `pulumi destroy`, as `conveyor destroy` does.
package main

import (
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/stacks"
)

func main() {
	if os.Getenv("CONVEYOR_TEARDOWN") == "1" {
		pulumi.Run(stacks.TeardownProgram)
		return
	}
	pulumi.Run(stacks.Program)
}

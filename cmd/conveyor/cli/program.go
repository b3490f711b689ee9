package cli

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/stacks"
)

// program is the Pulumi program every stack operation of this command runs: the very
// function `pulumi up` runs through cmd/platform, so both paths deploy the same thing.
var program pulumi.RunFunc = stacks.Program

// teardown runs as an update of an ad-hoc environment before it is destroyed (destroy,
// env delete, env gc): it drops the environment's databases and roles.
var teardown pulumi.RunFunc = stacks.TeardownProgram

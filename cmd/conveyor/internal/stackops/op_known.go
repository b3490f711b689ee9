package stackops

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"

	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// knownState is what an operation already read of its stack's state (a deploy exports it to
// find the module's resources), so that its later steps take it from there instead of asking
// the CLI again: each CLI call costs the CLI's start and a read of the whole state
// (tests/bench/README.md, "the fixed cost").
type knownState struct {
	// resources counts the state's resources: the operation's progress estimate, as `stack
	// ls` would give it.
	resources int
	// record is the deployed images of the last checkpoint (config_images.go's record), as
	// `stack output` would give them.
	record deployed.Images
}

// knownFrom reads a knownState from an exported state (`stack export --show-secrets`).
func knownFrom(state apitype.UntypedDeployment) (*knownState, error) {
	known := &knownState{record: deployed.Images{}}
	if len(state.Deployment) == 0 {
		return known, nil
	}
	var dep apitype.DeploymentV3
	if err := json.Unmarshal(state.Deployment, &dep); err != nil {
		return nil, fmt.Errorf("reading the state (deployment version %d): %w", state.Version, err)
	}
	known.resources = len(dep.Resources)
	for _, r := range dep.Resources {
		if r.Type != resource.RootStackType || r.Delete {
			continue
		}
		im, err := deployed.FromValue(revealed(r.Outputs[deployed.Output]))
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", deployed.Output, err)
		}
		known.record = im
	}
	return known, nil
}

// revealed is v as `stack output --show-secrets` gives it: an export with --show-secrets
// keeps a secret in its envelope, its value in "plaintext" as JSON text.
func revealed(v any) any {
	env, ok := v.(map[string]any)
	if !ok || env[sig.Key] != sig.Secret {
		return v
	}
	text, ok := env["plaintext"].(string)
	if !ok {
		return v
	}
	var plain any
	if err := json.Unmarshal([]byte(text), &plain); err != nil {
		return v
	}
	return plain
}

package stackops

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/conveyor-paas/conveyor/components/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// TargetsKey is the config key of the URNs an operation is limited to (RunOptions.Targets),
// which the engine puts into the composed config of every targeted operation. A saved plan
// records the config its preview ran with, so the plan of a targeted preview (a rollback of
// one module) carries its targets to the job that applies it: without them, that update
// would run untargeted and apply every other pending change beside the reviewed one.
const TargetsKey = naming.Project + ":targets"

// savedPlan is what an update applying a saved plan takes from it, because the plan is what a
// person approved and it travels between CI jobs where no config file does.
type savedPlan struct {
	Request deployed.Images // deployed.RequestKey: the images the preview asked for
	Targets []string        // TargetsKey: the URNs the preview was limited to
}

// readPlan reads the request and the targets from a saved update plan's config.
func readPlan(path string) (savedPlan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return savedPlan{}, fmt.Errorf("reading the plan: %w", err)
	}
	var plan struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(data, &plan); err != nil {
		return savedPlan{}, fmt.Errorf("the plan %s is not a Pulumi update plan: %w", path, err)
	}
	out := savedPlan{Request: deployed.Images{}}
	if raw, ok := plan.Config[deployed.RequestKey]; ok {
		if out.Request, err = deployed.Decode(string(planValue(raw))); err != nil {
			return savedPlan{}, fmt.Errorf("%s in the plan %s: %w", deployed.RequestKey, path, err)
		}
	}
	if raw, ok := plan.Config[TargetsKey]; ok {
		if err := json.Unmarshal(planValue(raw), &out.Targets); err != nil {
			return savedPlan{}, fmt.Errorf("%s in the plan %s: %w", TargetsKey, path, err)
		}
	}
	return out, nil
}

// planValue is a config value of a plan as JSON: the CLI records an object or a list as a
// string of JSON.
func planValue(raw json.RawMessage) json.RawMessage {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return json.RawMessage(text)
	}
	return raw
}

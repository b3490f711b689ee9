package stackops

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
)

// TargetsKey is the config key of the URNs an operation is limited to (RunOptions.Targets),
// which the Runner puts into the composed config of every targeted operation. A saved plan
// records the config its preview ran with, so the plan of a targeted preview (a rollback of
// one module) carries its targets to the job that applies it: without them, that update
// would run untargeted and apply every other pending change beside the reviewed one.
const TargetsKey = naming.ConfigTargets

// opRecord is what one operation puts into its composed config beside the stack's own (see
// opConfig). An update applying a saved plan takes it from the plan, because the plan is what
// a person approved and it travels between CI jobs where no config file does.
type opRecord struct {
	Request deployed.Images // deployed.RequestKey: the images the operation asks for
	Targets []string        // TargetsKey: the URNs the operation is limited to
	Change  *Change         // ChangeKey: which operation it is and where its images came from
}

// readPlan reads the request, the targets and the change record from a saved update plan's
// config: a promotion's record goes with its plan, so that the production update records
// where its images came from.
func readPlan(path string) (opRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return opRecord{}, fmt.Errorf("reading the plan: %w", err)
	}
	var plan struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(data, &plan); err != nil {
		return opRecord{}, fmt.Errorf("the plan %s is not a Pulumi update plan: %w", path, err)
	}
	out := opRecord{Request: deployed.Images{}}
	if raw, ok := plan.Config[deployed.RequestKey]; ok {
		if out.Request, err = deployed.Decode(string(planValue(raw))); err != nil {
			return opRecord{}, fmt.Errorf("%s in the plan %s: %w", deployed.RequestKey, path, err)
		}
	}
	if raw, ok := plan.Config[TargetsKey]; ok {
		if err := json.Unmarshal(planValue(raw), &out.Targets); err != nil {
			return opRecord{}, fmt.Errorf("%s in the plan %s: %w", TargetsKey, path, err)
		}
	}
	if raw, ok := plan.Config[ChangeKey]; ok {
		if out.Change, err = decodeChange(string(planValue(raw))); err != nil {
			return opRecord{}, fmt.Errorf("%s in the plan %s: %w", ChangeKey, path, err)
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

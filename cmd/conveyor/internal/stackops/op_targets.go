package stackops

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/conveyor-paas/conveyor/naming"
)

// ModuleURNs selects, from a stack's exported state, the URN of module's Module component
// (type naming.TypeModule, logical name the module's) and of every resource under it by the
// parent chain (its components, their workloads, its database, topics, ...). These are the targets of an update that must touch that module and
// nothing else. It returns no URN when the module is not in the state.
func ModuleURNs(state apitype.UntypedDeployment, module string) ([]string, error) {
	if len(state.Deployment) == 0 {
		return nil, nil // a stack never deployed
	}
	var dep apitype.DeploymentV3
	if err := json.Unmarshal(state.Deployment, &dep); err != nil {
		return nil, fmt.Errorf("reading the state (deployment version %d): %w", state.Version, err)
	}
	children := map[string][]string{}
	var roots []string
	for _, r := range dep.Resources {
		if r.Delete {
			// A resource pending deletion after a replacement shares its URN with the live
			// one; the live one is enough.
			continue
		}
		urn := string(r.URN)
		if r.Type == naming.TypeModule && urnName(urn) == module {
			roots = append(roots, urn)
		}
		if r.Parent != "" {
			children[string(r.Parent)] = append(children[string(r.Parent)], urn)
		}
	}
	seen := map[string]bool{}
	var urns []string
	// Breadth first from the module: parents come before their children, in state order.
	for queue := roots; len(queue) > 0; queue = queue[1:] {
		urn := queue[0]
		if seen[urn] {
			continue
		}
		seen[urn] = true
		urns = append(urns, urn)
		queue = append(queue, children[urn]...)
	}
	return urns, nil
}

// urnName is the logical name at the end of a URN ("urn:pulumi:env::proj::type::name").
func urnName(urn string) string {
	for i := len(urn) - 1; i > 0; i-- {
		if urn[i] == ':' && urn[i-1] == ':' {
			return urn[i+1:]
		}
	}
	return urn
}

package stacks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/naming"
)

// nodePoolConfig is one pool as configured. The required keys are pointers, so that a key
// left out is told apart from a zero (a spot pool of min 0 is common).
type nodePoolConfig struct {
	Name        *string `json:"name"`
	MachineType *string `json:"machineType"`
	Min         *int    `json:"min"`
	Max         *int    `json:"max"`
	Spot        bool    `json:"spot"`
	DiskSizeGB  int     `json:"diskSizeGb"`
}

// decodeNodePools reads conveyor:nodePools. Each pool is decoded on its own into an empty
// value: decoding into the default pools would fill what a pool leaves out with the default
// pool's values, so a pool without a machine type would silently get the default's. Instead
// a required key left out and an unknown key (a typo) are errors that name the pool.
func decodeNodePools(text string) ([]components.NodePool, error) {
	key := naming.ConfigNodePools
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, fmt.Errorf("config %s: want a list of pools [{name, machineType, min, max, spot, diskSizeGb}]: %w", key, err)
	}
	pools := make([]components.NodePool, 0, len(raw))
	for i, data := range raw {
		var c nodePoolConfig
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
				return nil, fmt.Errorf("config %s[%d]: unknown key %s (a pool has name, machineType, min, max, spot, diskSizeGb)", key, i, field)
			}
			return nil, fmt.Errorf("config %s[%d]: %w", key, i, err)
		}
		var missing []string
		for _, k := range []struct {
			name string
			set  bool
		}{{"name", c.Name != nil}, {"machineType", c.MachineType != nil}, {"min", c.Min != nil}, {"max", c.Max != nil}} {
			if !k.set {
				missing = append(missing, k.name)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("config %s[%d]: %s is required", key, i, strings.Join(missing, ", "))
		}
		pools = append(pools, components.NodePool{
			Name: *c.Name, MachineType: *c.MachineType, Min: *c.Min, Max: *c.Max,
			Spot: c.Spot, DiskSizeGB: c.DiskSizeGB,
		})
	}
	return pools, nil
}

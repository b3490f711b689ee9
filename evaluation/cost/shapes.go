package cost

import (
	"fmt"
	"strconv"
	"strings"
)

// Shape is what a machine or a Cloud SQL tier has: vCPUs and GiB of memory.
type Shape struct {
	Family string  `json:"family,omitempty"`
	VCPU   float64 `json:"vcpu"`
	GiB    float64 `json:"gib"`
}

// gibPerVCPU are the predefined machine types' memory per vCPU, by their kind.
var gibPerVCPU = map[string]float64{"standard": 4, "highmem": 8, "highcpu": 1}

// MachineShape reads a Compute Engine machine type: <family>-<standard|highmem|highcpu>-<vCPUs>
// or <family>-custom-<vCPUs>-<MiB>.
func MachineShape(machineType string) (Shape, error) {
	parts := strings.Split(machineType, "-")
	bad := fmt.Errorf("machine type %q is not one the estimate knows: <family>-standard|highmem|highcpu-<vCPUs> or <family>-custom-<vCPUs>-<MiB>", machineType)
	switch {
	case len(parts) == 3 && gibPerVCPU[parts[1]] > 0:
		n, err := strconv.Atoi(parts[2])
		if err != nil || n <= 0 {
			return Shape{}, bad
		}
		return Shape{Family: parts[0], VCPU: float64(n), GiB: float64(n) * gibPerVCPU[parts[1]]}, nil
	case len(parts) == 4 && parts[1] == "custom":
		n, err1 := strconv.Atoi(parts[2])
		mib, err2 := strconv.Atoi(parts[3])
		if err1 != nil || err2 != nil || n <= 0 || mib <= 0 {
			return Shape{}, bad
		}
		return Shape{Family: parts[0], VCPU: float64(n), GiB: float64(mib) / 1024}, nil
	}
	return Shape{}, bad
}

// SQLTierShape reads a Cloud SQL Enterprise tier, db-custom-<vCPUs>-<MiB>, the tiers
// conveyor:sqlTier takes (policy rule CONV-SQL-005).
func SQLTierShape(tier string) (Shape, error) {
	rest, ok := strings.CutPrefix(tier, "db-custom-")
	cpu, mem, ok2 := strings.Cut(rest, "-")
	n, err1 := strconv.Atoi(cpu)
	mib, err2 := strconv.Atoi(mem)
	if !ok || !ok2 || err1 != nil || err2 != nil || n <= 0 || mib <= 0 {
		return Shape{}, fmt.Errorf("the Cloud SQL tier %q is not one the estimate knows: db-custom-<vCPUs>-<MiB>", tier)
	}
	return Shape{VCPU: float64(n), GiB: float64(mib) / 1024}, nil
}

// hourly is what a shape costs an hour at rates.
func (s Shape) hourly(r Rates) float64 { return s.VCPU*r.VCPUHour + s.GiB*r.GiBHour }

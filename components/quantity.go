package components

import (
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/conveyor-paas/conveyor/manifest"
)

// divideQuantity divides a Kubernetes quantity, rounding up to a milli-unit.
func divideQuantity(q manifest.Quantity, divisor int) manifest.Quantity {
	parsed, err := resource.ParseQuantity(string(q))
	if err != nil || divisor <= 1 {
		return q
	}
	milli := (parsed.MilliValue() + int64(divisor) - 1) / int64(divisor)
	out := resource.NewMilliQuantity(milli, parsed.Format)
	return manifest.Quantity(out.String())
}

package naming

import (
	"fmt"
	"strconv"
	"strings"
)

// AnnotationBudget is the annotation of a space's Namespace that carries the space file's
// budget ("300 USD": whole units a month, and the currency), where the policy pack, which
// sees only the stack's resources, finds it.
const AnnotationBudget = "conveyor.io/budget"

// BudgetValue is the annotation's value for a monthly amount and its currency.
func BudgetValue(monthly int, currency string) string {
	return fmt.Sprintf("%d %s", monthly, currency)
}

// ParseBudgetValue reads the annotation's value back.
func ParseBudgetValue(v string) (monthly int, currency string, err error) {
	amount, currency, ok := strings.Cut(v, " ")
	monthly, aerr := strconv.Atoi(amount)
	if !ok || aerr != nil || monthly <= 0 || currency == "" {
		return 0, "", fmt.Errorf("annotation %s is %q, not a monthly amount and its currency (\"300 USD\")", AnnotationBudget, v)
	}
	return monthly, currency, nil
}

package cli

import (
	"fmt"

	"github.com/conveyor-paas/conveyor/naming"
)

// parseStack parses the stack a flag names, once, at the command's edge: what follows asks
// the value for its kind and cluster instead of classifying the name again. A name that
// cannot be a stack is a usage error; it names its flag when that is not --env, which every
// stack command has.
func parseStack(flag, name string) (naming.Stack, error) {
	s, err := naming.ParseStack(name)
	if err != nil {
		if flag != "" {
			err = fmt.Errorf("%s: %w", flag, err)
		}
		return naming.Stack{}, withCode(ExitUsage, err)
	}
	return s, nil
}

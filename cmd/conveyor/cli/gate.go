package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/conveyor-paas/conveyor/cmd/conveyor/internal/stackops"
	"github.com/conveyor-paas/conveyor/policy/offline"
	"github.com/conveyor-paas/conveyor/policy/rules"
)

// policyViolations is the policy gate's refusal: the report, with a mandatory violation.
type policyViolations struct{ report rules.Report }

func (p *policyViolations) Error() string {
	n := 0
	for _, r := range p.report.Results {
		if r.Kind == rules.Violation && r.Level == rules.Mandatory {
			n++
		}
	}
	return fmt.Sprintf("the policy pack found %d mandatory violation(s); the engine did not start", n)
}

// policyGate runs the policy pack's rules offline over what the engine is about to deploy,
// before every preview and update: the very check `conveyor policy check` runs, on the
// configuration the engine will hand the program rather than the stack's file, and with the
// images its last checkpoint recorded. Findings are
// counted on log; a mandatory violation refuses the operation with the report. The
// evaluation's fingerprint goes back to the engine, which skips an operation that would
// change nothing.
func policyGate(root string, log io.Writer) stackops.Gate {
	return func(_ context.Context, env string, in stackops.GateInput) (stackops.GateResult, error) {
		values, secrets := in.StackConfig()
		report, rec, err := offline.Check(offline.Options{Root: root, Stack: env, StackConfig: values, SecretKeys: secrets, Deployed: in.Deployed})
		if err != nil {
			return stackops.GateResult{}, err
		}
		counts := map[rules.Level]int{}
		for _, r := range report.Results {
			if r.Kind == rules.Violation {
				counts[r.Level]++
			}
		}
		fmt.Fprintf(log, "conveyor: policy check of %s before the engine: %d mandatory and %d advisory violation(s)\n",
			env, counts[rules.Mandatory], counts[rules.Advisory])
		if report.HasMandatoryViolations() {
			return stackops.GateResult{}, &policyViolations{report: report}
		}
		return stackops.GateResult{Fingerprint: rec.Fingerprints().Environment()}, nil
	}
}

// printRefusal prints the report of a policy refusal where the summary would have gone, in
// the format asked, and says on standard error that nothing changed. It reports false when
// err is no policy refusal.
func printRefusal(cmd *cobra.Command, out outputFlags, err error) (bool, error) {
	var p *policyViolations
	if !errors.As(err, &p) {
		return false, nil
	}
	w := cmd.OutOrStdout()
	var werr error
	switch {
	case out.json:
		werr = p.report.WriteJSON(w)
	case out.markdown:
		werr = p.report.WriteMarkdown(w)
	default:
		werr = p.report.WriteText(w)
	}
	if werr != nil {
		return true, werr
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "conveyor:", err)
	return true, withCode(ExitFailed, errSilent)
}

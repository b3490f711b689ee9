package stackops

import (
	"fmt"

	"github.com/conveyor-paas/conveyor/naming"
)

// The checks of an operation's arguments, made before it touches a backend: each operation
// makes its own first, and they are exported so that the command makes them before it sets up
// a backend, asks for a passphrase or locates the Pulumi CLI. A refusal is a RefusedError (or
// a PlanRequiredError): the command line is wrong, whatever the backend holds.

// CheckCreate checks the arguments of CreateEnv.
func CheckCreate(name string, o CreateOptions) error {
	if err := ValidateEnv(name); err != nil {
		return err
	}
	if o.TTL < 0 {
		return refusef("the TTL of %s must be positive, or 0 for none", name)
	}
	if o.TTL > 0 && IsProtected(name) {
		return validateAdhoc(name)
	}
	if o.From != "" {
		if err := ValidateEnv(o.From); err != nil {
			return refused(fmt.Errorf("--from: %w", err))
		}
	}
	if o.Cluster != "" && !naming.IsClusterStack(name) {
		if err := naming.CheckCluster(name, o.Cluster); err != nil {
			return refused(fmt.Errorf("--cluster %s: %w", o.Cluster, err))
		}
	}
	return nil
}

// CheckDelete checks the argument of DeleteEnv: only an ad-hoc environment is deleted.
func CheckDelete(name string) error { return validateAdhoc(name) }

// CheckDestroy checks the arguments of Destroy: a long-lived environment or a cluster stack is
// destroyed only when confirmed names it.
func CheckDestroy(env, confirmed string) error {
	if err := ValidateEnv(env); err != nil {
		return err
	}
	if IsProtected(env) && confirmed != env {
		return refusef("%s is a long-lived environment or a cluster stack: destroying it must be confirmed with its name", env)
	}
	return nil
}

// CheckDeploy checks a DeployRequest, whose empty Component means DefaultComponent.
func CheckDeploy(req DeployRequest) error {
	if err := ValidateEnv(req.Env); err != nil {
		return err
	}
	if err := naming.ValidatePart(naming.PartModule, req.Module); err != nil {
		return refused(err)
	}
	if req.Component != "" {
		if err := naming.ValidatePart(naming.PartComponent, req.Component); err != nil {
			return refused(err)
		}
	}
	if req.Image == "" {
		return refusef("no image to deploy to %s/%s", req.Module, req.Component)
	}
	if RequiresPlan(req.Env) {
		return refusef("%s changes only through a reviewed plan: promote the image with `conveyor promote --to %s --module %s --save-plan <file>` and apply the plan", req.Env, req.Env, req.Module)
	}
	return nil
}

// CheckRollback checks a RollbackRequest; plan is where its preview's plan is saved, which a
// production environment requires.
func CheckRollback(req RollbackRequest, plan string) error {
	if err := ValidateEnv(req.Env); err != nil {
		return err
	}
	if req.Module != "" {
		if err := naming.ValidatePart(naming.PartModule, req.Module); err != nil {
			return refused(err)
		}
	}
	if req.To < 0 {
		return refusef("--to %d: an update's version is positive (see `conveyor history --env %s`)", req.To, req.Env)
	}
	if RequiresPlan(req.Env) && plan == "" {
		return refusef("%s changes only through a reviewed plan: run `conveyor rollback --env %s --save-plan %s.plan.json`, have it reviewed, then `conveyor up --env %s --plan %s.plan.json`",
			req.Env, req.Env, req.Env, req.Env, req.Env)
	}
	return nil
}

// CheckPromote checks a PromoteRequest.
func CheckPromote(req PromoteRequest) error {
	for _, env := range []string{req.From, req.To} {
		if err := ValidateEnv(env); err != nil {
			return err
		}
	}
	if req.From == req.To {
		return refusef("promoting %s to itself changes nothing", req.From)
	}
	if req.Module != "" {
		if err := naming.ValidatePart(naming.PartModule, req.Module); err != nil {
			return refused(err)
		}
	}
	if req.Apply && RequiresPlan(req.To) {
		return &PlanRequiredError{Env: req.To}
	}
	return nil
}

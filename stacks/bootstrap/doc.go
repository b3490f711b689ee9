// Package bootstrap is the program of the bootstrap stack: the trust tiers' walls as code.
// For each tier (naming.Tier) it makes a workload identity pool whose GitHub provider admits
// only that tier's tokens (conditions.go), the tier's deploy service account, impersonable
// only from its own pool and GitHub environments, its state bucket and the KMS key of its
// secrets, with IAM that only its own tier (and, reading, the production tier above it)
// holds (access.go); production also gets a read-only planner. Its outputs are the names the
// workflows read (naming.CIVariables).
//
// An administrator runs it with the Pulumi CLI and their own credentials (`pulumi up -s
// bootstrap`), keeping its state outside the three tiers' backends: neither conveyor nor CI
// ever runs it, and `bootstrap` is no environment's name.
package bootstrap

// Package stackops runs Conveyor's Pulumi program on environments' stacks through the
// Automation API (it is named so as not to be taken for Pulumi's own engine, which the CLI
// it drives runs): stack operations with progress and summaries, ad-hoc environments with a
// TTL, targeted deploys of one module, image promotion, and drift checks.
//
// The program is injected (Options.Program), so the same Runner runs the real platform in the
// conveyor command and a small inline program in tests. Every operation goes through the
// Pulumi CLI pinned in tools/pulumi (see package pulumicli) against a backend chosen by the
// machine's environment (see SettingsFromEnv).
//
// The Runner is declared in runner.go, which lists every operation; its options are in
// options.go and its errors, which the command maps to exit codes, in errors.go. The other
// files are grouped by concern, their prefix naming it:
//
//   - state_: where state lives. The backend and passphrase of each tier (state_settings.go,
//     state_tiers.go, state_backendurl.go), which stacks skip the engine's intermediate
//     checkpoints (state_checkpoints.go), selecting and creating a stack (state_stacks.go),
//     and the release record production is promoted from (state_releases.go).
//   - config_: composing one call's configuration. The config file each operation runs with
//     (config_file.go), the stack's values read and written through the CLI
//     (config_values.go), what an operation records with its update (config_plan.go,
//     config_provenance.go), the images it asks for and pins (config_images.go,
//     config_pinning.go), and application secrets (config_secrets*.go).
//   - op_: the operations. Preview, up, destroy, refresh and drift (op_stack.go), deploy,
//     promote and rollback (op_deploy.go, op_promote.go, op_rollback.go), the reads
//     (op_history.go, op_inspect.go), the checks before one starts (op_checks.go,
//     op_gate.go), the skipping of one that would change nothing (op_unchanged.go), and
//     the running of one: its event stream and summary (op_stream.go) and its wait for
//     another's lock (op_lockwait.go).
//   - env_: an environment's lifecycle. Names (env_names.go), create, list and delete
//     (env_lifecycle.go), metadata and TTL (env_metadata.go), the teardown before a destroy
//     (env_teardown.go) and the collection of expired environments (env_gc.go).
//   - recover_: recovery after a kill. The stale lock of a killed CLI (recover_stalelock.go),
//     the pending operations it left (recover_pending.go), and the sweep of what a local
//     environment's state does not record (recover_sweep.go) under the lock the Runner takes
//     itself (recover_stacklock.go).
package stackops

package stackops

import "context"

// LockStack exposes lockStack to the tests of package stackops_test, which drive the real CLI
// through stackopstest (a package that imports this one).
func (r *Runner) LockStack(ctx context.Context, env string, o RunOptions) (func() error, error) {
	return r.lockStack(ctx, env, o)
}

// CheckpointsSkipped exposes checkpointsSkipped to package stackops_test.
func (r *Runner) CheckpointsSkipped(env string) bool { return r.checkpointsSkipped(env) }

// SecretsTags exposes secretsTags: the stack-file keys of a secrets manager and their tags.
var SecretsTags = secretsTags

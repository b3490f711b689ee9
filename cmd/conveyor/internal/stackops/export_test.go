package stackops

// SecretsTags exposes secretsTags: the stack-file keys of a secrets manager and their tags.
var SecretsTags = secretsTags

// CheckpointsSkipped exposes checkpointsSkipped to package stackops_test.
func (e *Runner) CheckpointsSkipped(env string) bool { return e.checkpointsSkipped(env) }

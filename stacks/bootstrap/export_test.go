package bootstrap

import "testing"

// AdHocDeployerMay is the ad-hoc deployer, holding exactly the grants the bootstrap makes of
// TestConfig, under the test double of GCP's IAM (adhoc_test.go): whether it may do
// permission on the resource named name, of IAM type typ ("" where no condition asks). The
// external tests try an ad-hoc environment's program against it.
func AdHocDeployerMay(t *testing.T) func(permission, name, typ string) bool {
	t.Helper()
	rec, _ := run(t)
	iam := newIAMDouble(t, rec)
	return func(permission, name, typ string) bool {
		return iam.allowed(adhocDeployer, permission, resourceRef{name, typ})
	}
}

// TestConfig is the bootstrap configuration the tests make the deployers' grants of.
var TestConfig = testConfig

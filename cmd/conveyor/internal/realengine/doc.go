// Package realengine is the real-engine tier: Conveyor's real program (stacks.Program) run by
// the conveyor command's Runner (package stackops: the Automation API driving the pinned Pulumi
// CLI on a file backend) with the real kubernetes provider plugin, onto a real control plane
// with kwok nodes started by tests/harness. It has no code of its own outside its tests.
//
// Its tests deploy the demo catalog as the local environment and as an ad-hoc local
// environment beside it on the same cluster, and check that what is live is what the offline
// rendering says, that a second preview and up change nothing, that a deploy of one module
// touches that module only, and that a destroy leaves no object labelled with the
// environment. Its benchmarks measure what a team waits for (see tests/bench/README.md).
//
// One test (node_test.go) deploys onto a second control plane whose node really runs
// containers (harness.KubeOptions.RealNode), to see Conveyor's workloads run: PostgreSQL,
// the setup job, an api answering through its Service, logs, and a destroy that leaves
// nothing. It skips where the node cannot run (harness.SkipUnlessNode). The node's tests
// and the kwok tests run as two streams side by side (streams_test.go): each cluster has one
// test at a time, and the node's waiting on containers overlaps the kwok tests' work.
//
// What it needs is built by the tests themselves on first use and cached under
// ~/.cache/conveyor: the Pulumi CLI (tools/pulumi), the control plane (tools/kube, tools/etcd,
// tools/kwok) and the kubernetes provider (tools/kubernetes-provider); the random provider,
// which cannot be obtained here, is played by a test double (tests/harness/randomdouble).
// The plugins are put first on the CLI's PATH, where the engine finds them.
//
// A new test of the tier uses a small API (fixture_test.go, command_test.go):
//
//	f := setup(t)                                   // the cluster and plugins, once per package
//	c := f.newClone(t, stackopstest.NewEnv(t), nil)    // a checkout with a backend of its own
//	c.configure(t, "local-bob", f.demoCatalog())     // its stack config file
//	s := c.mustConveyor(t, "up", "--env", "local-bob") // the real conveyor command, --json
//	c.e.Deploy(...)                                 // or the Runner, in process
//	f.labelled(t, "local-bob")                      // what is live with the environment's label
//
// The tier runs by default, in CI too. CONVEYOR_SKIP_REAL_ENGINE=1 skips it knowingly (as do
// CONVEYOR_SKIP_KUBE=1 and CONVEYOR_SKIP_PULUMI=1, since it needs both); without them a missing
// prerequisite fails the tests rather than skipping them.
package realengine

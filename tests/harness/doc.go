// Package harness starts real infrastructure on loopback for Conveyor's tests: a Kubernetes
// control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, and kwok playing
// the kubelets of a few fake nodes) and the Google Cloud Pub/Sub emulator.
//
// With KubeOptions.RealNode the control plane gets one real node instead of the fake ones:
// containerd and runc, a kubelet and kube-proxy of the control plane's release, the CNI
// plugins and CoreDNS, in network, mount and PID namespaces of their own (see
// node.go and nodens.go), so that pods really run, from images the harness builds (images.go).
// It needs root and what .ci/install-node installs.
//
// The Kubernetes binaries are built from source by EnsureBinaries, from pinned Go modules under
// tools/ (tools/kube, tools/etcd, tools/kwok) that are kept out of the main module so that their
// dependency graphs never touch it. A cold build takes many minutes on a small machine; the
// binaries are then cached (see CacheDir) and a warm start takes seconds.
//
// Typical use from any test of the root module:
//
//	func TestSomething(t *testing.T) {
//		kube := harness.KubeForTest(t) // skips only if CONVEYOR_SKIP_KUBE=1
//		client := kubernetes.NewForConfigOrDie(kube.Config)
//		...
//	}
//
// Starting a control plane takes a few seconds even when warm, so a package with many tests
// should start one in TestMain (StartKube with Stop) or share one through a sync.Once, and
// isolate tests by namespace.
//
// A cold build outlasts `go test`'s default 10-minute timeout: give the first run of a machine
// a longer one (go test -timeout 60m), or warm the cache first with
// `go test -run TestEnsureBinaries -timeout 60m ./tests/harness`.
//
// The tiers that use this package run by default. They are skipped only when asked to, with
// CONVEYOR_SKIP_KUBE=1 or CONVEYOR_SKIP_PUBSUB=1; a missing prerequisite (no go toolchain, no
// gcloud, no java) fails the test with a message saying what to install, so that CI never
// passes by silently skipping a tier.
//
// The package is for Linux (it relies on process groups and on the parent-death signal to never
// leak a control plane when a test binary is killed).
package harness

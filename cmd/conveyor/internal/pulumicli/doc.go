// Package pulumicli finds the Pulumi CLI that Conveyor is pinned to, building it from the
// repository's tools/pulumi module when no copy exists, and hands it to the Automation API.
//
// The CLI is looked for, in order:
//
//  1. $PULUMI_CLI, a path to a pulumi binary chosen by the user;
//  2. <repo>/.cache/bin/pulumi, a copy a developer built by hand;
//  3. <cache>/bin/pulumi-<version>, where <cache> is $CONVEYOR_CACHE_DIR or
//     os.UserCacheDir()/conveyor (~/.cache/conveyor), built there from tools/pulumi when absent.
//
// The build stamps the version into the binary with -ldflags: a `go build` of the tool module
// otherwise reports a placeholder version, which the Automation API refuses. A cold build takes
// minutes, so it reports progress, and it is guarded by a lock file so that parallel processes
// (test packages, pipelines sharing a cache) build it once.
package pulumicli

// Package pulumicli finds a Pulumi CLI for the Automation API: the one a user chose or has
// installed when it is recent enough, else the release Conveyor is pinned to, downloaded or,
// as the last resort, built from the repository's tools/pulumi module.
//
// The CLI is looked for, in order:
//
//  1. $PULUMI_CLI, a path to a pulumi binary chosen by the user (never second-guessed);
//  2. <repo>/.cache/bin/pulumi, a copy a developer built by hand, if it is the pinned version;
//  3. pulumi on PATH, if it is at least the pinned version: what a developer installed;
//  4. under <cache> ($CONVEYOR_CACHE_DIR or os.UserCacheDir()/conveyor, ~/.cache/conveyor),
//     a copy made by an earlier run: release/pulumi-v<version>/bin/pulumi, downloaded, or
//     bin/pulumi-v<version>, built;
//  5. Pulumi's release of the pinned version, downloaded into <cache> with
//     auto.InstallPulumiCommand, where get.pulumi.com can be reached;
//  6. a build from the repository's tools/pulumi module into <cache>: the last resort, and
//     what a machine without that network needs.
//
// Binary.Source says which was used.
//
// The build stamps the version into the binary with -ldflags: a `go build` of the tool module
// otherwise reports a placeholder version, which the Automation API refuses. A cold build takes
// minutes, so it reports progress, and it is guarded by a lock file so that parallel processes
// (test packages, pipelines sharing a cache) build it once.
package pulumicli

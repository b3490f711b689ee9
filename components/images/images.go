// Package images names the container images the platform itself runs, beside the teams'
// workloads: the local cluster's stand-ins for Cloud SQL and Pub/Sub, and the database jobs'
// client.
//
// It is a package of its own, with no import, so that what must know these names without the
// component library (the test harness, which serves them on the real node, and the command
// that prebuilds the harness's tools) does not compile the GCP SDK to learn them.
package images

const (
	// LocalPostgres is the local cluster's stand-in for Cloud SQL. Pinned; runs as non-root.
	LocalPostgres = "postgres:16.6-alpine"
	// LocalEmulator is the local cluster's stand-in for Pub/Sub. Pinned; runs as non-root.
	LocalEmulator = "gcr.io/google.com/cloudsdktool/google-cloud-cli:502.0.0-emulators"
	// DatabaseClient runs the database jobs: psql and pg_isready of the server's major. It is
	// pinned to a digest, since it runs in production too (CONV-IMG-001).
	DatabaseClient = LocalPostgres + "@sha256:1d04b9ba1d4996401f2552b51beda8187f175c0645c091e4781134fc9c9a3eef"
)

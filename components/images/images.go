// Package images names the container images the platform itself runs, beside the teams'
// workloads: the local cluster's stand-ins for Cloud SQL and Pub/Sub, the database jobs'
// client, and the proxy through which pods reach Cloud SQL on GKE.
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
	// LocalCurl runs the jobs that make a module's topics and subscriptions in the local
	// cluster's emulator, through its REST API.
	LocalCurl = "curlimages/curl:8.11.1"
	// DatabaseClient runs the database jobs: psql and pg_isready of the server's major. It is
	// pinned to a digest, since it runs in production too (CONV-IMG-001).
	DatabaseClient = LocalPostgres + "@sha256:1d04b9ba1d4996401f2552b51beda8187f175c0645c091e4781134fc9c9a3eef"
	// CloudSQLProxy is the Cloud SQL Auth Proxy (v2), which every pod that connects to Cloud
	// SQL on GKE runs beside its containers: it verifies the instance and is the only way in
	// (components/sqlproxy.go). Pinned to a digest (CONV-IMG-001); its registry is in the
	// shipped conveyor:allowedRegistries.
	CloudSQLProxy = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.2@sha256:d3f195cb893f2abb2ce8f28a4d3eee9b5589750711b4fbf67c78ce215c520e96"
)

// AdmittedInProduction are the platform's own images that run on production's cluster (every
// pod's proxy sidecar, the platform namespace's database jobs), which its Binary Authorization
// policy admits by their digest beside the modules' images that main's pipeline attests: no
// pipeline of this repository builds them, so none attests them. Each is pinned to a digest,
// so the exemption admits those bytes and no other.
func AdmittedInProduction() []string { return []string{CloudSQLProxy, DatabaseClient} }

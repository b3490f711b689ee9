package naming

// The sleeper: the identity that puts non-production environments to sleep on schedule
// (`conveyor sleep --due`, from main's nightly workflow). It may scale an environment's module
// Deployments to zero and suspend its CronJobs on a non-production cluster, and nothing else:
// no Secret, no pod, no image, nothing of production. The cluster stack makes its wall
// (components/cluster_sleeper.go):
//   - SleeperClusterRole, bound cluster-wide: read Deployments and CronJobs, update a
//     Deployment's scale subresource, patch a CronJob;
//   - SleeperScalePolicy: a scale it writes is zero, in a namespace of a non-production
//     environment's space (not the environment's platform namespace);
//   - SleeperCronJobPolicy: a CronJob it changes is such a namespace's, and only its
//     spec.suspend changes, to true.
const (
	// SleeperAccount is the id of the sleeper's service account in a non-production
	// cluster's project.
	SleeperAccount = "conveyor-sleeper"

	SleeperClusterRole   = "conveyor-sleeper"
	SleeperScalePolicy   = "conveyor-sleeper-scale"
	SleeperCronJobPolicy = "conveyor-sleeper-cronjobs"

	// SleeperFieldManager is the field manager of the sleeper's writes, so that a wake finds
	// and releases exactly the fields the sleeper took (package sleeper).
	SleeperFieldManager = "conveyor-sleeper"
)

// Sleeper is the Kubernetes user name of the sleeper's account in project (GKE names a Google
// service account by its email).
func Sleeper(project string) string {
	return SleeperAccount + "@" + project + ".iam.gserviceaccount.com"
}

// SleepingTiers are the tiers whose environments may sleep: all but production's.
func SleepingTiers() []Tier { return []Tier{TierLongLived, TierAdHoc} }

// Why an environment sleeps: the value of its sleep tag. Only a scheduled sleep ends on
// schedule (`conveyor wake --due`); the others wait for a person's wake.
const (
	SleepManual   = "manual"   // `conveyor sleep`
	SleepSchedule = "schedule" // its awake hours are over
	SleepIdle     = "idle"     // no deploy and no wake for longer than its idle limit
)

// The stack file keys of an environment's sleep policy, which the command reads (the program
// does not): an environment without them follows its tier's (package sleeper).
const (
	// ConfigAwakeHours are the hours an environment is kept awake, for example
	// "Mon-Fri 07:00-20:00 Europe/Berlin"; outside them it sleeps. "always": no schedule.
	ConfigAwakeHours = Project + ":awakeHours"
	// ConfigIdleSleep is how long an environment runs with no deploy and no wake before it
	// sleeps, a Go duration or days ("24h", "3d"); "0": never.
	ConfigIdleSleep = Project + ":sleepWhenIdle"
)

// The sleeper in CI: main's nightly workflow runs `conveyor sleep --due` for the long-lived
// tier's environments in a GitHub environment of its own, whose token the long-lived tier's
// identity pool admits for the sleeper's account only (as prod-plan's for the planner), and
// with that account's email in a variable of its own. Ad-hoc previews are slept by the
// ad-hoc tier's own job, as the ad-hoc deployer: no variable a pull request reads is ever a
// long-lived job's.
const (
	GitHubEnvSleeper = "sleeper"
	CISleeper        = "GCP_SERVICE_ACCOUNT_SLEEPER"
)

// Package sleeper puts environments to sleep on a cluster without the engine, and decides
// which are due to sleep or wake.
//
// The sleeper (naming.Sleeper) may only scale a non-production environment's module
// Deployments to zero and suspend its CronJobs (components/cluster_sleeper.go): it cannot run
// an update, which writes every object of the environment. So a scheduled sleep is two steps
// that agree with each other: the stack's sleep tag (stackops.TagAsleep), which every later
// update composes into the program's config so that the program renders the environment
// asleep; and ScaleDown, which makes the cluster so at once, as the program would.
//
// Its writes leave a mark the engine must not trip over: server-side apply records the
// sleeper as the owner of each count and suspend it set (under naming.SleeperFieldManager).
// An update that later declares another count would conflict with that owner, and one that
// stops declaring a field (an autoscaled Deployment's count, an awake CronJob's suspend)
// would leave the sleeper's value behind. Release, which a wake runs with the deployer's
// rights before its update, removes those marks.
package sleeper

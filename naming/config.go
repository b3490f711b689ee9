package naming

// The keys of a stack's configuration, all in the project's namespace: the one list that the
// program (stacks.LoadConfig), the offline evaluation, the command and the policy pack read,
// and that the README's configuration reference documents. A package that gives a key a name
// of its own (deployed.SeedKey, appsecrets.ValuesKey, envview.ContextSetting, ...) gives it
// one of these.
const (
	// ConfigCatalog is the folder of the module manifests the stack deploys.
	ConfigCatalog = Project + ":catalog"
	// ConfigCluster is the cluster stack an environment deploys onto (Stack.Cluster unless set).
	ConfigCluster = Project + ":cluster"
	// ConfigKubeContext is the kubeconfig context a local environment deploys into; without
	// it, the current context.
	ConfigKubeContext = Project + ":kubeContext"
	// ConfigAllowKubeContext names a context that is not a local cluster, opted into knowingly.
	ConfigAllowKubeContext = Project + ":allowKubeContext"
	// ConfigProduction marks a stack as production beyond prod itself.
	ConfigProduction = Project + ":production"
	// ConfigImages are the committed images of a stack file (package deployed, layer 2).
	ConfigImages = Project + ":images"
	// ConfigAsleep puts a non-production environment to sleep: its modules' Deployments at
	// zero replicas without autoscalers, their CronJobs suspended (`conveyor sleep|wake`).
	ConfigAsleep = Project + ":asleep"
	// ConfigMesh and ConfigIstioVersion choose the service mesh.
	ConfigMesh         = Project + ":mesh"
	ConfigIstioVersion = Project + ":istioVersion"

	// A cluster stack's settings.
	ConfigGCPProject        = Project + ":gcpProject"
	ConfigGCPRegion         = Project + ":gcpRegion"
	ConfigSQLTier           = Project + ":sqlTier"
	ConfigReleaseChannel    = Project + ":releaseChannel"
	ConfigSecurityGroup     = Project + ":securityGroup"
	ConfigAttestorPublicKey = Project + ":attestorPublicKey"
	ConfigNetwork           = Project + ":network"
	ConfigControlPlane      = Project + ":controlPlane"
	ConfigAllowedRegistries = Project + ":allowedRegistries"
	ConfigNodePools         = Project + ":nodePools"
	// ConfigAdHocEnvironmentsProject is a non-production cluster stack's project of its ad-hoc
	// environments' accounts and topics (naming/adhocgcp.go): the bootstrap stack's setting
	// of the same name, which gives the ad-hoc deployer its rights there.
	ConfigAdHocEnvironmentsProject = Project + ":adHocEnvironmentsProject"
)

// Keys the command writes into the config file it composes for one operation, outside the
// repository; never a stack file's.
const (
	// ConfigDeploy is an update's request of images (package deployed, layer 4).
	ConfigDeploy = Project + ":deploy"
	// ConfigTargets are the URNs a targeted operation was limited to.
	ConfigTargets = Project + ":targets"
	// ConfigChange is what an update changed and where its images came from.
	ConfigChange = Project + ":change"
	// ConfigBy is who ran an update.
	ConfigBy = Project + ":by"
	// ConfigAppSecrets holds a local environment's application secret values (package
	// appsecrets), a Pulumi secret.
	ConfigAppSecrets = Project + ":appSecrets"
	// ConfigSplit says that the environment is split into a base and a stack per module
	// (`conveyor env split`): the base then declares no module, and each module is its own
	// stack (ModuleStack). The command writes it from the base's stack tag TagSplit.
	ConfigSplit = Project + ":split"
	// ConfigAdHocSecretDefaults lists the secrets an ad-hoc environment reads from its
	// tier's defaults: names only.
	ConfigAdHocSecretDefaults = Project + ":adHocSecretDefaults"
	// ConfigDesired is the digest of what an update was asked to deploy, which the next one
	// compares with its own to skip an unchanged environment.
	ConfigDesired = Project + ":desired"
)

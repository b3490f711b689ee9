// Package manifest reads the catalog of a platform: the space files and module manifests that
// product teams keep next to their code. Loading is strict: every problem of every file is
// reported with its file, line, column and field, and a catalog with any problem yields no
// model at all, so nothing can be deployed from it.
package manifest

// Module is a module manifest: one microservice, its database, events and components.
//
//	module: quotes
//	space: sales
//	database: true
//	publishes: [quote-created]
//	consumes: [policies.policy-issued]
//	components:
//	  api: {image: ghcr.io/acme/quotes:1.4.2, port: 8080}
type Module struct {
	Name      string            `yaml:"module" json:"module" jsonschema:"shape=module" missing:"a module manifest needs its name (module: <one lowercase word>)" jsonschema_description:"The module's name: one lowercase word of letters and digits, at most 20 characters (it prefixes its workloads and names its database)."`
	Space     string            `yaml:"space" json:"space" jsonschema:"shape=space" missing:"a module needs the space it belongs to (space: <name>), which a space file declares" jsonschema_description:"The space (team) the module belongs to; a space file must declare it."`
	Database  *Database         `yaml:"database,omitempty" json:"database,omitempty" jsonschema_description:"true gives the module a private PostgreSQL database and credentials; a mapping does too, and says more (seed)."`
	Publishes []string          `yaml:"publishes,omitempty" json:"publishes,omitempty" jsonschema:"shape=event,unique" jsonschema_description:"The events the module publishes, each lowercase words joined by dashes, at most 40 characters; each gets a topic."`
	Consumes  []string          `yaml:"consumes,omitempty" json:"consumes,omitempty" jsonschema:"shape=eventref,unique" jsonschema_description:"The events the module consumes as <module>.<event>; each gets a subscription."`
	Config    map[string]string `yaml:"config,omitempty" json:"config,omitempty" jsonschema:"keys=envvar" jsonschema_description:"Environment variables for every component of the module; a component's config overrides them. Names starting with CONVEYOR_, DATABASE_, GOOGLE_ or PUBSUB_ are the platform's."`
	Secrets   []string          `yaml:"secrets,omitempty" json:"secrets,omitempty" jsonschema:"shape=envvar,unique" jsonschema_description:"Names of the secrets every component of the module reads, as files under /var/run/secrets/conveyor/<NAME>; their values are set per environment with conveyor secret set, never here. Names follow the config key rules, and a name is either config or a secret."`
	// AdHocSecretDefaults lets an ad-hoc environment without a value of its own read the value
	// kept for the whole ad-hoc tier (conveyor secret set --ad-hoc-default); never dev's, staging's
	// or prod's.
	AdHocSecretDefaults bool `yaml:"adHocSecretDefaults,omitempty" json:"adHocSecretDefaults,omitempty" jsonschema_description:"Whether an ad-hoc environment (pr-123, local) that has no value of its own for a secret reads the default kept for the ad-hoc tier (conveyor secret set --ad-hoc-default). Off: every ad-hoc environment sets its own values."`
	// Components by name. A component named api, cron, handler or job is of that kind unless
	// it says otherwise.
	Components map[string]*Component `yaml:"components" json:"components" jsonschema:"keys=component,minEntries=1" missing:"a module needs at least one component (most have just an api)" jsonschema_description:"The module's runtime parts by name (lowercase words joined by dashes, at most 20 characters): api, cron, handler, job, or any name with a kind."`

	source *file
}

// Database is a module's private PostgreSQL database. A manifest writes `database: true` for
// one that starts empty in every environment, or a mapping that says more:
//
//	database:
//	  seed:
//	    from: dev
//	    mask:
//	      email: [customers.email]
//	      hash: [customers.name]
//	      nullify: [customers.phone]
type Database struct {
	// Seed, when set, makes the module's database in every ad-hoc environment (pr-123) a masked
	// copy of a long-lived environment's, rather than empty.
	Seed *Seed `yaml:"seed,omitempty" json:"seed,omitempty" jsonschema_description:"Where an ad-hoc environment's (pr-123) copy of this database comes from, and what is masked in it; without seed it starts empty. dev, staging and prod always start empty."`
}

// Seed is where an ad-hoc environment's database comes from: main's nightly seeding job copies
// the source environment's database into a template, masks it, and every ad-hoc environment
// created after that copies the template, then runs its own migrations on it.
type Seed struct {
	From string `yaml:"from" json:"from" jsonschema:"enum=dev" missing:"a seed needs the environment it copies (from: dev)" jsonschema_description:"The long-lived environment whose database is copied, masked, into ad-hoc environments: dev, which shares the ad-hoc tier's database instance. (staging has an instance of its own, and prod a cluster: neither is a source yet.)"`
	// Mask lists columns by what is done to them. A column listed nowhere is copied as it is.
	Mask *Masks `yaml:"mask,omitempty" json:"mask,omitempty" jsonschema_description:"The columns to mask in the copy, as [<schema>.]<table>.<column> (schema public when left out), by what replaces their values. Every other column is copied as it is: list every column that holds personal or secret data."`
}

// Masks are the columns a seed masks, by mask (components/dbsetup.MaskKinds).
type Masks struct {
	Nullify []string `yaml:"nullify,omitempty" json:"nullify,omitempty" jsonschema:"shape=column,unique" jsonschema_description:"Columns set to NULL (the column must allow NULL)."`
	Hash    []string `yaml:"hash,omitempty" json:"hash,omitempty" jsonschema:"shape=column,unique" jsonschema_description:"Text columns whose values are replaced by 64 hex digits, the SHA-256 of the value and a key that lives only while the job runs: equal values stay equal, so joins and unique constraints hold, and no one can hash guesses to find a value."`
	Email   []string `yaml:"email,omitempty" json:"email,omitempty" jsonschema:"shape=column,unique" jsonschema_description:"Text columns whose values are replaced by unique fake addresses, user-<16 hex digits>@example.com, from the same keyed hash."`
}

// HasDatabase says whether the module has a private database.
func (m *Module) HasDatabase() bool { return m.Database != nil }

// Component kinds.
const (
	KindAPI     = "api"
	KindCron    = "cron"
	KindHandler = "handler"
	KindJob     = "job"
)

// Component is one runtime part of a module.
type Component struct {
	Kind     string   `yaml:"kind,omitempty" json:"kind,omitempty" jsonschema:"enum=api,enum=cron,enum=handler,enum=job" jsonschema_description:"api (Deployment and Service), cron (CronJob), handler (event consumer), job (runs before the api rolls out). Defaults to the component's name when that is a kind."`
	Image    string   `yaml:"image" json:"image" jsonschema:"shape=image" missing:"is required: the image to run, with a tag or digest" jsonschema_description:"The default image with a tag or digest; stack config may override it per environment."`
	Command  []string `yaml:"command,omitempty" json:"command,omitempty" jsonschema_description:"Overrides the image's entrypoint."`
	Args     []string `yaml:"args,omitempty" json:"args,omitempty" jsonschema_description:"Arguments to the entrypoint."`
	Port     int      `yaml:"port,omitempty" json:"port,omitempty" jsonschema:"minimum=1,maximum=65535" jsonschema_description:"api: the HTTP port the container listens on (default 8080)."`
	Replicas *int     `yaml:"replicas,omitempty" json:"replicas,omitempty" jsonschema:"minimum=1" jsonschema_description:"api and handler: a fixed number of replicas (default 2; ad-hoc environments run 1)."`
	// Autoscaling replaces Replicas with a range driven by CPU use.
	Autoscaling *Autoscaling      `yaml:"autoscaling,omitempty" json:"autoscaling,omitempty" jsonschema_description:"api and handler: scale between min and max replicas on CPU use."`
	Probes      *Probes           `yaml:"probes,omitempty" json:"probes,omitempty" jsonschema_description:"api: HTTP paths of the readiness and liveness probes (default /healthz)."`
	Resources   *Resources        `yaml:"resources,omitempty" json:"resources,omitempty" jsonschema_description:"CPU and memory requests and limits. What is left out comes from the space's limits.defaultRequest and limits.default, else requests 100m/128Mi and limits 500m/256Mi; a request left out is never above the component's own limit."`
	Schedule    string            `yaml:"schedule,omitempty" json:"schedule,omitempty" jsonschema:"shape=schedule" jsonschema_description:"cron (required): a standard five-field cron schedule or @hourly, @daily, @weekly, @monthly, @yearly (no @every)."`
	Handles     []string          `yaml:"handles,omitempty" json:"handles,omitempty" jsonschema:"shape=eventref,unique" jsonschema_description:"handler (required): the consumed events (<module>.<event>) it processes."`
	Config      map[string]string `yaml:"config,omitempty" json:"config,omitempty" jsonschema:"keys=envvar" jsonschema_description:"Environment variables of this component; they override the module's and the space's."`
	Secrets     []string          `yaml:"secrets,omitempty" json:"secrets,omitempty" jsonschema:"shape=envvar,unique" jsonschema_description:"Names of secrets only this component reads, besides the module's; delivered as files under /var/run/secrets/conveyor/<NAME>."`
}

// Autoscaling is an api's or handler's replica range.
type Autoscaling struct {
	Min int `yaml:"min" json:"min" jsonschema:"minimum=1" missing:"is required: the fewest replicas" jsonschema_description:"The fewest replicas."`
	Max int `yaml:"max" json:"max" jsonschema:"minimum=1" missing:"is required: the most replicas, at least min" jsonschema_description:"The most replicas; at least min."`
	// CPU is the target average CPU utilisation in percent of the request.
	CPU int `yaml:"cpu,omitempty" json:"cpu,omitempty" jsonschema:"minimum=1,maximum=100" jsonschema_description:"Target average CPU utilisation in percent (default 70)."`
}

// Probes are HTTP paths on the api's port.
type Probes struct {
	Readiness string `yaml:"readiness,omitempty" json:"readiness,omitempty" jsonschema:"shape=path" jsonschema_description:"The readiness probe's HTTP path (default /healthz)."`
	Liveness  string `yaml:"liveness,omitempty" json:"liveness,omitempty" jsonschema:"shape=path" jsonschema_description:"The liveness probe's HTTP path (default /healthz)."`
}

// Resources are a container's requests and limits.
type Resources struct {
	Requests *ResourceList `yaml:"requests,omitempty" json:"requests,omitempty" jsonschema_description:"What the container is guaranteed; at most its limits."`
	Limits   *ResourceList `yaml:"limits,omitempty" json:"limits,omitempty" jsonschema_description:"The most the container may use; at most its space's limits.max."`
}

// ResourceList holds Kubernetes quantities ("250m", "1", "512Mi").
type ResourceList struct {
	CPU    Quantity `yaml:"cpu,omitempty" json:"cpu,omitempty" jsonschema_description:"CPU, in cores: 250m, 1."`
	Memory Quantity `yaml:"memory,omitempty" json:"memory,omitempty" jsonschema_description:"Memory, in bytes: 512Mi, 2Gi."`
}

// Quantity is a Kubernetes resource quantity above zero. YAML may write it as a number
// ("cpu: 1").
type Quantity string

// Space is a space file: a team's group of modules.
//
//	space: sales
//	team: sales-engineers@example.com
type Space struct {
	Name string `yaml:"space" json:"space" jsonschema:"shape=space" missing:"a space file needs its name (space: <one lowercase word>)" jsonschema_description:"The space's name: one lowercase word of letters and digits, at most 20 characters; not conveyor, which the platform keeps."`
	Team string `yaml:"team" json:"team" jsonschema:"shape=group" missing:"a space needs its owning team's group (team: <group>), who edit its namespaces in dev and ad-hoc environments and view them in staging and prod" jsonschema_description:"The owning team's group (e.g. a Google group's email); it edits the space's namespaces in dev and ad-hoc environments and views them in staging and prod."`
	// AllowFrom lists other spaces whose workloads may open connections into this space.
	AllowFrom []string          `yaml:"allowFrom,omitempty" json:"allowFrom,omitempty" jsonschema:"shape=space,unique" jsonschema_description:"Other spaces whose workloads may reach this space's workloads."`
	Quota     *Quota            `yaml:"quota,omitempty" json:"quota,omitempty" jsonschema_description:"Total resources of the space's namespace in one environment."`
	Limits    *Limits           `yaml:"limits,omitempty" json:"limits,omitempty" jsonschema_description:"Per-container defaults and maximum in the space's namespace."`
	Config    map[string]string `yaml:"config,omitempty" json:"config,omitempty" jsonschema:"keys=envvar" jsonschema_description:"Environment variables for every component in the space."`
	Mesh      *bool             `yaml:"mesh,omitempty" json:"mesh,omitempty" jsonschema_description:"Whether the space's workloads run in the Istio service mesh: mutual TLS between every pod, and calls allowed only from the service accounts of the space's own modules and of allowFrom's spaces, in the same environment. Unset, the cluster decides (conveyor:mesh default meshes every space)."`
	// Budget is what the space may cost a month in one environment: `conveyor cost` compares
	// its estimate with it, and policy rule CONV-COST-001 reports a space above it.
	Budget *Budget `yaml:"budget,omitempty" json:"budget,omitempty" jsonschema_description:"What the space's modules may cost a month in one environment, as conveyor cost estimates it. Above it, policy rule CONV-COST-001 reports the space: advisory unless the platform team makes the rule mandatory."`

	source *file
}

// Quota is a space's ResourceQuota.
type Quota struct {
	CPU    Quantity `yaml:"cpu,omitempty" json:"cpu,omitempty" jsonschema_description:"Total CPU limits (default 8)."`
	Memory Quantity `yaml:"memory,omitempty" json:"memory,omitempty" jsonschema_description:"Total memory limits (default 16Gi)."`
	Pods   int      `yaml:"pods,omitempty" json:"pods,omitempty" jsonschema:"minimum=1" jsonschema_description:"Maximum number of pods (default 50)."`
}

// Budget is a monthly amount of money.
type Budget struct {
	Monthly  int    `yaml:"monthly" json:"monthly" jsonschema:"minimum=1" missing:"a budget needs its monthly amount (monthly: <whole units of its currency>)" jsonschema_description:"The monthly amount, in whole units of the currency."`
	Currency string `yaml:"currency" json:"currency" jsonschema:"enum=USD,enum=EUR,enum=GBP,enum=CHF,enum=JPY,enum=CAD,enum=AUD,enum=SEK,enum=NOK,enum=DKK,enum=PLN,enum=INR,enum=BRL" missing:"a budget needs its currency (currency: USD), the price table's" jsonschema_description:"The ISO 4217 code of the currency; conveyor cost compares a budget only with an estimate in the same currency."`
}

// Limits is a space's LimitRange for containers.
type Limits struct {
	DefaultRequest *ResourceList `yaml:"defaultRequest,omitempty" json:"defaultRequest,omitempty" jsonschema_description:"The request of a container that sets none (default 100m/128Mi); at most default."`
	Default        *ResourceList `yaml:"default,omitempty" json:"default,omitempty" jsonschema_description:"The limit of a container that sets none (default 500m/256Mi); at most max."`
	Max            *ResourceList `yaml:"max,omitempty" json:"max,omitempty" jsonschema_description:"The most any container of the space may set."`
}

// File is where the manifest came from.
func (m *Module) File() string { return m.source.name }

// Line is the line of the module's file where a field is written ("components.api.image"),
// or where its closest written parent is; 0 for a module built in code.
func (m *Module) Line(field string) int {
	if m.source == nil {
		return 0
	}
	return m.source.pos.at(field).line
}

// File is where the space file came from.
func (s *Space) File() string { return s.source.name }

package rules

import (
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/naming"
)

// Fixtures are resource inputs shaped exactly as the providers receive them (camelCase, as in
// their schemas), named with NamesOf, and compliant with every rule. Tests break them with
// mutations, so every failing fixture differs from a compliant one in exactly what it tests.

const (
	testEnv      = "dev"
	clusterStack = "cluster-nonprod"
	testCluster  = "nonprod"
	project      = "acme-dev"
)

// testRegistries are the registries the fixtures' cluster allows: the modules' images and the
// platform's PostgreSQL image.
const testRegistries = "ghcr.io/acme,docker.io/library,gcr.io/cloud-sql-connectors"

// fixture is a JSON-like inputs document.
type fixture = map[string]any

// The scopes of the fixtures: the quotes module of the sales space (an api, a cron, a job),
// publishing quote-created, which the claims module of the claims space consumes.
func apiScope() naming.Scope {
	return naming.Scope{Environment: testEnv, Space: "sales", Module: "quotes", Component: "api"}
}

func componentScope(component string) naming.Scope {
	s := apiScope()
	s.Component = component
	return s
}

func moduleScope() naming.Scope { s := apiScope(); s.Component = ""; return s }
func spaceScope() naming.Scope  { s := moduleScope(); s.Module = ""; return s }
func topicScope() naming.Scope  { s := moduleScope(); s.Event = "quote-created"; return s }

func consumerScope() naming.Scope {
	return naming.Scope{Environment: testEnv, Space: "claims", Module: "claims", Event: "quote-created",
		FromSpace: "sales", FromModule: "quotes"}
}

// computed is a value that is not known until the update runs, as a preview shows it.
var computed = resource.MakeComputed(resource.NewStringProperty(""))

func secret(v any) resource.PropertyValue { return resource.MakeSecret(resource.NewPropertyValue(v)) }

// mutation changes a fixture.
type mutation func(fixture)

// deleted, set as a value, removes the key.
var deleted = &struct{}{}

// set sets the value at path, creating objects on the way. Segments are separated by dots; a
// number indexes a list; a segment in brackets is one key that may contain dots
// ("metadata.labels.[conveyor.io/environment]").
func set(path string, v any) mutation {
	return func(f fixture) { setPath(f, splitPath(path), v) }
}

func del(path string) mutation { return set(path, deleted) }

func splitPath(path string) []string {
	var segs []string
	for path != "" {
		if strings.HasPrefix(path, "[") {
			end := strings.Index(path, "]")
			segs = append(segs, path[1:end])
			path = strings.TrimPrefix(path[end+1:], ".")
			continue
		}
		seg, rest, _ := strings.Cut(path, ".")
		segs = append(segs, seg)
		path = rest
	}
	return segs
}

func setPath(node any, segs []string, v any) {
	last := len(segs) == 1
	switch n := node.(type) {
	case fixture:
		if last {
			if v == deleted {
				delete(n, segs[0])
			} else {
				n[segs[0]] = v
			}
			return
		}
		child, ok := n[segs[0]]
		if !ok {
			child = fixture{}
			n[segs[0]] = child
		}
		setPath(child, segs[1:], v)
	case []any:
		i, err := strconv.Atoi(segs[0])
		if err != nil {
			panic("fixture path: " + segs[0] + " indexes a list")
		}
		if last {
			n[i] = v
			return
		}
		setPath(n[i], segs[1:], v)
	default:
		panic("fixture path goes through a scalar at " + strings.Join(segs, "."))
	}
}

func labelMap(m map[string]string) fixture {
	out := fixture{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func urnOf(stack, typ, name string) string {
	return "urn:pulumi:" + stack + "::conveyor::" + typ + "::" + name
}

// build makes a Resource of a fixture after applying the mutations.
func build(stack, typ, name string, f fixture, mods []mutation) Resource {
	for _, m := range mods {
		m(f)
	}
	return Resource{URN: urnOf(stack, typ, name), Type: typ, Name: name, Inputs: resource.NewPropertyMapFromMap(f),
		Environment: stack}
}

func objectMeta(name, namespace string, labels map[string]string) fixture {
	meta := fixture{"name": name, "labels": labelMap(labels)}
	if namespace != "" {
		meta["namespace"] = namespace
	}
	return meta
}

// --- Kubernetes ------------------------------------------------------------------------------

func containerFixture(s naming.Scope, api bool) fixture {
	n := NamesOf(s)
	c := fixture{
		"name":            s.Component,
		"image":           "ghcr.io/acme/" + s.Module + ":1.4.2",
		"imagePullPolicy": "Always",
		"securityContext": fixture{
			"allowPrivilegeEscalation": false,
			"readOnlyRootFilesystem":   true,
			"capabilities":             fixture{"drop": []any{"ALL"}},
		},
		"resources": fixture{
			"requests": fixture{"cpu": "100m", "memory": "128Mi"},
			"limits":   fixture{"cpu": "500m", "memory": "256Mi"},
		},
		"env": []any{fixture{"name": "DATABASE_URL",
			"valueFrom": fixture{"secretKeyRef": fixture{"name": n.DatabaseSecret, "key": "url"}}}},
		"volumeMounts": []any{fixture{"name": "tmp", "mountPath": "/tmp"}},
	}
	if api {
		probe := fixture{"httpGet": fixture{"path": "/healthz", "port": 8080}}
		c["ports"] = []any{fixture{"name": "http", "containerPort": 8080, "protocol": "TCP"}}
		c["readinessProbe"] = probe
		c["livenessProbe"] = maps.Clone(probe)
	}
	return c
}

// sqlProxyFixture is the Cloud SQL Auth Proxy as a pod's native sidecar, on loopback.
func sqlProxyFixture() fixture {
	return fixture{
		"name":            naming.SQLProxyContainer,
		"image":           images.CloudSQLProxy,
		"imagePullPolicy": "IfNotPresent",
		"restartPolicy":   "Always",
		"args":            []any{"--private-ip", "--address=127.0.0.1", "--port=5432", "acme-nonprod:europe-west1:conveyor-nonprod-pg"},
		"securityContext": fixture{
			"allowPrivilegeEscalation": false,
			"readOnlyRootFilesystem":   true,
			"capabilities":             fixture{"drop": []any{"ALL"}},
		},
		"resources": fixture{
			"requests": fixture{"cpu": "50m", "memory": "64Mi"},
			"limits":   fixture{"cpu": "500m", "memory": "256Mi"},
		},
	}
}

// withProxy runs the proxy beside a workload's containers, whose pod spec is at podSpec, as
// components do for every pod that connects to Cloud SQL on GKE.
func withProxy(podSpec string) mutation {
	return set(podSpec+".initContainers", []any{sqlProxyFixture()})
}

// Where the pod spec of a workload fixture is.
const (
	podSpecPath     = "spec.template.spec"
	cronPodSpecPath = "spec.jobTemplate.spec.template.spec"
)

func podTemplateFixture(s naming.Scope, api bool) fixture {
	n := NamesOf(s)
	spec := fixture{
		"serviceAccountName":           n.KubernetesServiceAccount,
		"automountServiceAccountToken": false,
		"securityContext": fixture{
			"runAsNonRoot":   true,
			"seccompProfile": fixture{"type": "RuntimeDefault"},
		},
		"containers": []any{containerFixture(s, api)},
		"volumes":    []any{fixture{"name": "tmp", "emptyDir": fixture{}}},
	}
	if !api {
		spec["restartPolicy"] = "Never"
	}
	return fixture{"metadata": fixture{"labels": labelMap(n.KubernetesLabels)}, "spec": spec}
}

func kubeObject(s naming.Scope, typ, name, namespace string, spec fixture, mods []mutation) Resource {
	kind := kubernetesKind(typ)
	apiVersion := strings.TrimPrefix(typ[:strings.LastIndex(typ, ":")], "kubernetes:")
	apiVersion = strings.TrimPrefix(apiVersion, "core/")
	f := fixture{"apiVersion": apiVersion, "kind": kind, "metadata": objectMeta(name, namespace, NamesOf(s).KubernetesLabels)}
	if spec != nil {
		f["spec"] = spec
	}
	return build(s.Environment, typ, name, f, mods)
}

func deployment(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return kubeObject(s, TypeDeployment, n.Workload, n.Namespace, fixture{
		"replicas": 2,
		"selector": fixture{"matchLabels": labelMap(naming.SelectorLabels(s.Module, s.Component))},
		"template": podTemplateFixture(s, s.Component == "api"),
	}, mods)
}

func service(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return kubeObject(s, TypeService, n.Workload, n.Namespace, fixture{
		"type":     "ClusterIP",
		"selector": labelMap(naming.SelectorLabels(s.Module, s.Component)),
		"ports":    []any{fixture{"name": "http", "port": 80, "targetPort": 8080}},
	}, mods)
}

func disruptionBudget(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return kubeObject(s, TypePDB, n.Workload, n.Namespace, fixture{
		"minAvailable": 1,
		"selector":     fixture{"matchLabels": labelMap(naming.SelectorLabels(s.Module, s.Component))},
	}, mods)
}

func autoscaler(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return kubeObject(s, TypeHPA, n.Workload, n.Namespace, fixture{
		"scaleTargetRef": fixture{"apiVersion": "apps/v1", "kind": "Deployment", "name": n.Workload},
		"minReplicas":    2, "maxReplicas": 6,
	}, mods)
}

func cronJob(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return kubeObject(s, TypeCronJob, n.CronJob, n.Namespace, fixture{
		"schedule":    "0 3 * * *",
		"jobTemplate": fixture{"spec": fixture{"template": podTemplateFixture(s, false)}},
	}, mods)
}

func job(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return kubeObject(s, TypeJob, n.Workload, n.Namespace, fixture{
		"backoffLimit": 2,
		"template":     podTemplateFixture(s, false),
	}, mods)
}

func barePod(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	t := podTemplateFixture(s, false)
	return kubeObject(s, TypePod, n.Workload, n.Namespace, t["spec"].(fixture), mods)
}

func namespace(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	r := kubeObject(s, TypeNamespace, n.Namespace, "", nil, append([]mutation{
		set("metadata.labels.["+PodSecurityEnforceLabel+"]", "restricted"),
		set("metadata.annotations.["+naming.AllowedRegistriesAnnotation+"]", testRegistries),
	}, mods...))
	return r
}

func defaultDeny(s naming.Scope, mods ...mutation) Resource {
	return kubeObject(s, TypeNetworkPolicy, naming.NetworkPolicy("default-deny"), NamesOf(s).Namespace, fixture{
		"podSelector": fixture{},
		"policyTypes": []any{"Ingress", "Egress"},
	}, mods)
}

func quota(s naming.Scope, mods ...mutation) Resource {
	return kubeObject(s, TypeResourceQuota, "quota", NamesOf(s).Namespace, fixture{
		"hard": fixture{"limits.cpu": "8", "limits.memory": "16Gi", "pods": "50"},
	}, mods)
}

func kubeServiceAccount(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return kubeObject(s, TypeServiceAccount, n.KubernetesServiceAccount, n.Namespace, nil, append([]mutation{
		set("metadata.annotations.[iam.gke.io/gcp-service-account]", n.ServiceAccountID+"@"+project+".iam.gserviceaccount.com"),
	}, mods...))
}

func databaseSecret(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	r := kubeObject(s, TypeSecret, n.DatabaseSecret, n.Namespace, nil, append([]mutation{
		set("type", "Opaque"),
		set("stringData", fixture{"host": "127.0.0.1", "url": secret("postgres://dev_quotes:hunter2@127.0.0.1:5432/dev_quotes?sslmode=disable")}),
	}, mods...))
	return r
}

// teamRole is the Role a space's team gets: view in staging and prod, edit elsewhere.
func teamRole(s naming.Scope, mods ...mutation) Resource {
	return teamRoleAs(s, naming.TeamAccessOf(s.Environment), mods...)
}

func teamRoleAs(s naming.Scope, access naming.TeamAccess, mods ...mutation) Resource {
	read := []any{"get", "list", "watch"}
	rules := []any{
		fixture{"apiGroups": []any{""}, "resources": []any{"pods", "pods/log", "services", "configmaps"}, "verbs": read},
		fixture{"apiGroups": []any{"apps"}, "resources": []any{"deployments", "replicasets"}, "verbs": read},
		fixture{"apiGroups": []any{"networking.k8s.io"}, "resources": []any{"networkpolicies"}, "verbs": read},
	}
	if access == naming.TeamEdit {
		rules = append(rules,
			fixture{"apiGroups": []any{""}, "resources": []any{"pods/exec", "pods/portforward"}, "verbs": []any{"get", "create"}},
			fixture{"apiGroups": []any{""}, "resources": []any{"secrets"}, "verbs": read},
			fixture{"apiGroups": []any{"apps"}, "resources": []any{"deployments"}, "verbs": []any{"update", "patch"}},
		)
	}
	return kubeObject(s, TypeRole, naming.TeamRole(access), NamesOf(s).Namespace, nil, append([]mutation{
		set("rules", rules),
	}, mods...))
}

func teamBinding(s naming.Scope, mods ...mutation) Resource {
	return kubeObject(s, TypeRoleBinding, naming.TeamRoleBinding(s.Space), NamesOf(s).Namespace, nil, append([]mutation{
		set("roleRef", fixture{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": naming.TeamRole(naming.TeamAccessOf(s.Environment))}),
		set("subjects", []any{fixture{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "sales@acme.io"}}),
	}, mods...))
}

// clusterReference is an environment's StackReference to the cluster it deploys onto.
func clusterReference(env string, mods ...mutation) Resource {
	cluster := naming.DefaultCluster(env)
	return build(env, TypeStackReference, "organization/conveyor/"+cluster, fixture{"name": "organization/conveyor/" + cluster}, mods)
}

// --- Google Cloud --------------------------------------------------------------------------

// topic is a module's topic, or for a consumer's scope the dead-letter topic of its
// subscription.
func topic(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	name, labels := n.Topic, labelMap(n.GCPLabels)
	if s.FromModule != "" {
		name, labels[naming.GCPLabelPurpose] = n.DeadLetterTopic, naming.PurposeDeadLetter
	}
	return build(s.Environment, TypeTopic, name, fixture{"name": name, "labels": labels,
		"messageRetentionDuration": "604800s"}, mods)
}

// deadLetterSubscription keeps what lands on a consumer's dead-letter topic.
func deadLetterSubscription(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	name := naming.DeadLetterSubscription(s.Environment, s.Space, s.Module, s.FromSpace, s.FromModule, s.Event)
	labels := labelMap(n.GCPLabels)
	labels[naming.GCPLabelPurpose] = naming.PurposeDeadLetter
	return build(s.Environment, TypeSubscription, name+"-kept", fixture{
		"name": name, "topic": n.DeadLetterTopic, "labels": labels,
		"retryPolicy":        fixture{"minimumBackoff": "10s", "maximumBackoff": "600s"},
		"ackDeadlineSeconds": 30, "expirationPolicy": fixture{"ttl": ""},
	}, mods)
}

func subscription(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return build(s.Environment, TypeSubscription, n.Subscription, fixture{
		"name":   n.Subscription,
		"topic":  naming.Topic(s.Environment, s.FromSpace, s.FromModule, s.Event),
		"labels": labelMap(n.GCPLabels),
		"deadLetterPolicy": fixture{
			"deadLetterTopic":     "projects/" + project + "/topics/" + n.DeadLetterTopic,
			"maxDeliveryAttempts": 5,
		},
		"retryPolicy":        fixture{"minimumBackoff": "10s", "maximumBackoff": "600s"},
		"ackDeadlineSeconds": 30,
	}, mods)
}

func gcpServiceAccount(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return build(s.Environment, TypeGCPServiceAccount, n.ServiceAccountID, fixture{
		"accountId": n.ServiceAccountID, "displayName": n.ServiceAccountDisplayName, "project": project,
	}, mods)
}

func sqlDatabase(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return build(s.Environment, TypeSQLDatabase, n.Database, fixture{
		"name": n.Database, "instance": naming.SQLInstance(testCluster),
	}, mods)
}

func sqlUser(s naming.Scope, mods ...mutation) Resource {
	n := NamesOf(s)
	return build(s.Environment, TypeSQLUser, n.DatabaseUser, fixture{
		"name": n.DatabaseUser, "instance": naming.SQLInstance(testCluster), "password": secret("hunter2"),
	}, mods)
}

func iamMember(typ string, mods ...mutation) Resource {
	return build(testEnv, typ, "quotes-role", fixture{
		"project": project, "role": "roles/cloudsql.client",
		"member": "serviceAccount:" + NamesOf(moduleScope()).ServiceAccountID + "@" + project + ".iam.gserviceaccount.com",
	}, mods)
}

func iamBinding(mods ...mutation) Resource {
	return build(testEnv, "gcp:pubsub/topicIAMBinding:TopicIAMBinding", "quotes-publishers", fixture{
		"topic": NamesOf(topicScope()).Topic, "role": "roles/pubsub.publisher",
		"members": []any{"serviceAccount:" + NamesOf(moduleScope()).ServiceAccountID + "@" + project + ".iam.gserviceaccount.com"},
	}, mods)
}

// --- the cluster stack ---------------------------------------------------------------------

func clusterLabels() fixture { return labelMap(naming.ClusterGCPLabels(testCluster)) }

func nodeAccount() string {
	return naming.NodeServiceAccountID(testCluster) + "@" + project + ".iam.gserviceaccount.com"
}

func gkeCluster(mods ...mutation) Resource {
	name := naming.Cluster(testCluster)
	return build(clusterStack, TypeGKECluster, name, fixture{
		"name": name, "location": "europe-west1", "resourceLabels": clusterLabels(),
		"removeDefaultNodePool": true, "initialNodeCount": 1,
		"network": naming.Network(testCluster), "subnetwork": naming.Subnetwork(testCluster, "europe-west1"),
		"privateClusterConfig":   fixture{"enablePrivateNodes": true, "masterIpv4CidrBlock": "172.16.0.0/28"},
		"workloadIdentityConfig": fixture{"workloadPool": project + ".svc.id.goog"},
		"enableShieldedNodes":    true,
		"releaseChannel":         fixture{"channel": "REGULAR"},
		"datapathProvider":       "ADVANCED_DATAPATH",
		"masterAuth":             fixture{"clientCertificateConfig": fixture{"issueClientCertificate": false}},
		"masterAuthorizedNetworksConfig": fixture{
			"cidrBlocks":                  []any{fixture{"cidrBlock": "198.51.100.0/24", "displayName": "ci"}},
			"gcpPublicCidrsAccessEnabled": false,
		},
		"authenticatorGroupsConfig": fixture{"securityGroup": "gke-security-groups@acme.io"},
		"deletionProtection":        true,
	}, mods)
}

func nodePool(mods ...mutation) Resource {
	return build(clusterStack, TypeGKENodePool, "general", fixture{
		"name": naming.NodePool("general"), "cluster": naming.Cluster(testCluster), "location": "europe-west1",
		"nodeConfig": fixture{
			"machineType":            "e2-standard-4",
			"serviceAccount":         nodeAccount(),
			"oauthScopes":            []any{"https://www.googleapis.com/auth/cloud-platform"},
			"workloadMetadataConfig": fixture{"mode": "GKE_METADATA"},
			"shieldedInstanceConfig": fixture{"enableSecureBoot": true, "enableIntegrityMonitoring": true},
			"resourceLabels":         clusterLabels(),
		},
		"management": fixture{"autoRepair": true, "autoUpgrade": true},
	}, mods)
}

func sqlInstance(mods ...mutation) Resource {
	name := naming.SQLInstance(testCluster)
	return build(clusterStack, TypeSQLInstance, name, fixture{
		"name": name, "databaseVersion": "POSTGRES_16", "region": "europe-west1", "deletionProtection": true,
		"settings": fixture{
			"tier":                      "db-custom-2-7680",
			"edition":                   "ENTERPRISE",
			"deletionProtectionEnabled": true,
			"userLabels":                clusterLabels(),
			"ipConfiguration": fixture{
				"ipv4Enabled":    false,
				"privateNetwork": "projects/" + project + "/global/networks/" + naming.Network(testCluster),
				"sslMode":        "ENCRYPTED_ONLY",
			},
			"backupConfiguration": fixture{"enabled": true, "pointInTimeRecoveryEnabled": true, "startTime": "02:00"},
		},
	}, mods)
}

func nodeServiceAccount(mods ...mutation) Resource {
	id := naming.NodeServiceAccountID(testCluster)
	return build(clusterStack, TypeGCPServiceAccount, id, fixture{
		"accountId": id, "displayName": "Conveyor nodes of cluster " + testCluster, "project": project,
	}, mods)
}

// --- whole stacks --------------------------------------------------------------------------

// environmentStack is every resource an environment with the fixture modules creates, all
// compliant.
func environmentStack() []Resource {
	api, consumer := apiScope(), consumerScope()
	return []Resource{
		namespace(spaceScope()), defaultDeny(spaceScope()), quota(spaceScope()),
		teamRole(spaceScope()), teamBinding(spaceScope()), clusterReference(testEnv),
		kubeServiceAccount(moduleScope()), databaseSecret(moduleScope()),
		deployment(api, withProxy(podSpecPath)), service(api), disruptionBudget(api), autoscaler(api),
		deployment(componentScope("handler"), withProxy(podSpecPath)),
		cronJob(componentScope("cleanup"), withProxy(cronPodSpecPath)), job(componentScope("migrate"), withProxy(podSpecPath)),
		topic(topicScope()), subscription(consumer), topic(consumer), deadLetterSubscription(consumer),
		gcpServiceAccount(moduleScope()),
		iamMember("gcp:projects/iAMMember:IAMMember"), iamBinding(),
		allowFromSpaces(spaceScope()), allowDNS(spaceScope()), allowDatabase(spaceScope()),
		namespace(platformScope()), defaultDeny(platformScope()), quota(platformScope()),
		adminSecret(), setupSecret(moduleScope()), setupJob(moduleScope()),
	}
}

// clusterStackResources is every resource of a compliant cluster stack.
func clusterStackResources() []Resource {
	return []Resource{gkeCluster(), nodePool(), sqlInstance(), nodeServiceAccount(), sqlAdminUser()}
}

// --- expectations --------------------------------------------------------------------------

// outcome is what a test asserts of a result: its kind, level, URN and exact message.
type outcome struct {
	Kind    Outcome
	Level   Level
	URN     string
	Message string
}

func mandatory(urn, message string) outcome { return outcome{Violation, Mandatory, urn, message} }
func advisory(urn, message string) outcome  { return outcome{Violation, Advisory, urn, message} }
func exempted(urn, message string) outcome  { return outcome{Exempted, Advisory, urn, message} }
func cannotDecide(urn, path string) outcome {
	return outcome{Undecided, Advisory, urn, "cannot decide: " + path + " is not known until the update runs"}
}

// ruleCase evaluates resources as one stack and asserts exactly what one rule reports.
type ruleCase struct {
	rule      string
	name      string
	env       string // testEnv unless set
	cfg       Config
	resources []Resource
	want      []outcome
}

func outcomesOf(results []Result, ruleID string) []outcome {
	var out []outcome
	for _, r := range results {
		if r.RuleID == ruleID {
			out = append(out, outcome{r.Kind, r.Level, r.URN, r.Message})
		}
	}
	return out
}

func runCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			env := c.env
			if env == "" {
				env = testEnv
			}
			if _, ok := Lookup(c.rule); !ok {
				t.Fatalf("no rule %s", c.rule)
			}
			got := outcomesOf(Evaluate(env, c.resources, c.cfg).Results, c.rule)
			if !equalOutcomes(got, c.want) {
				t.Errorf("%s reports:\n%s\nwant:\n%s", c.rule, format(got), format(c.want))
			}
		})
	}
}

func equalOutcomes(a, b []outcome) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func format(outs []outcome) string {
	if len(outs) == 0 {
		return "  (nothing)"
	}
	var b strings.Builder
	for _, o := range outs {
		b.WriteString("  " + string(o.Kind) + " " + string(o.Level) + " " + o.URN + "\n    " + strconv.Quote(o.Message) + "\n")
	}
	return b.String()
}

func stack(rs ...Resource) []Resource { return rs }

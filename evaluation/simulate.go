package evaluation

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// Simulated values of what the cloud computes. They are fixed so that recordings are
// deterministic and golden files stable.
const (
	SimulatedProjectNumber = "123456789012"
	SimulatedSQLAddress    = "10.100.0.3"
	// SimulatedStagingSQLAddress is staging's own instance's, so that a test can tell the
	// instances apart.
	SimulatedStagingSQLAddress = "10.100.0.5"
	SimulatedEndpoint          = "203.0.113.10"
	// SimulatedSecurityGroup is the Google Groups for RBAC group of a cluster stack that has no
	// stack file of its own, evaluated only for what its environments read from it: a
	// placeholder domain would be refused like a shipped stack's (components.CheckSecurityGroup).
	SimulatedSecurityGroup = "gke-security-groups@simulated.conveyor.internal"
	// SimulatedPrivateEndpoint is a cluster's control plane address inside its VPC.
	SimulatedPrivateEndpoint = "172.16.0.2"
	SimulatedCA              = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="
)

// simulate returns the id and outputs a provider would: the inputs, plus the values the
// cloud computes that the program reads back (emails, addresses, names).
//
// Only the computed values are returned: outside a preview, the Pulumi SDK resolves every
// output that a registration's answer leaves out from the resource's own input of that name,
// which is exactly what a copy of the inputs would give, without marshalling each resource's
// inputs back to the program and decoding them again (for thousands of resources, a large
// part of an evaluation). The exception is a type whose Go resource gathers the properties it
// does not name into a catch-all output (a Kubernetes custom resource): the SDK fills that one
// from the answer alone, so it gets the inputs.
func simulate(typ, name string, inputs resource.PropertyMap) (string, resource.PropertyMap) {
	outputs := resource.PropertyMap{}
	if isCustomResource(typ) {
		outputs = inputs.Copy()
	}
	str := func(key string) string {
		if v, ok := inputs[resource.PropertyKey(key)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	// An id no provider would give, unique per resource and never its logical name: a
	// reference by id to the wrong resource, or a name where an id belongs, shows in the
	// inputs of what refers to it. Types whose ids the program reads get their provider's
	// format below.
	id := "simulated-id:" + typ + "::" + name
	switch typ {
	case "gcp:compute/network:Network":
		id = "projects/" + str("project") + "/global/networks/" + str("name")
	case "gcp:compute/subnetwork:Subnetwork":
		id = "projects/" + str("project") + "/regions/" + str("region") + "/subnetworks/" + str("name")
	case "gcp:compute/globalAddress:GlobalAddress":
		id = "projects/" + str("project") + "/global/addresses/" + str("name")
	case "gcp:compute/router:Router":
		id = "projects/" + str("project") + "/regions/" + str("region") + "/routers/" + str("name")
	case "gcp:serviceaccount/account:Account":
		email := str("accountId") + "@" + str("project") + ".iam.gserviceaccount.com"
		outputs["email"] = resource.NewProperty(email)
		outputs["name"] = resource.NewProperty("projects/" + str("project") + "/serviceAccounts/" + email)
		outputs["member"] = resource.NewProperty("serviceAccount:" + email)
		id = email
	case "gcp:sql/databaseInstance:DatabaseInstance":
		address := SimulatedSQLAddress
		if strings.HasSuffix(str("name"), "-staging") {
			address = SimulatedStagingSQLAddress
		}
		outputs["privateIpAddress"] = resource.NewProperty(address)
		outputs["connectionName"] = resource.NewProperty(str("project") + ":" + str("region") + ":" + str("name"))
	case "random:index/randomPassword:RandomPassword":
		// A stand-in that is unique per resource, so that tests can look for it elsewhere.
		sum := sha256.Sum256([]byte(name))
		outputs["result"] = resource.MakeSecret(resource.NewProperty("simulated-" + hex.EncodeToString(sum[:12])))
	case "gcp:container/cluster:Cluster":
		id = "projects/" + str("project") + "/locations/" + str("location") + "/clusters/" + str("name")
		outputs["endpoint"] = resource.NewProperty(SimulatedEndpoint)
		private := resource.PropertyMap{"privateEndpoint": resource.NewProperty(SimulatedPrivateEndpoint)}
		if in, ok := inputs["privateClusterConfig"]; ok && in.IsObject() {
			for k, v := range in.ObjectValue() {
				private[k] = v
			}
		}
		outputs["privateClusterConfig"] = resource.NewObjectProperty(private)
		outputs["masterAuth"] = resource.NewObjectProperty(resource.PropertyMap{
			"clusterCaCertificate": resource.NewProperty(SimulatedCA),
		})
	case "gcp:pubsub/topic:Topic", "gcp:pubsub/subscription:Subscription":
		kind := "topics"
		if strings.HasSuffix(typ, "Subscription") {
			kind = "subscriptions"
		}
		id = "projects/" + str("project") + "/" + kind + "/" + str("name")
	}
	return id, outputs
}

// isCustomResource reports whether typ is a Kubernetes object of an API group that is not
// Kubernetes' own ("kubernetes:monitoring.coreos.com/v1:ServiceMonitor"): the built-in groups
// are "core", names without a dot ("apps", "batch") and names under k8s.io.
func isCustomResource(typ string) bool {
	module, ok := strings.CutPrefix(typ, "kubernetes:")
	if !ok {
		return false
	}
	module, _, _ = strings.Cut(module, ":")
	group, _, versioned := strings.Cut(module, "/")
	return versioned && strings.Contains(group, ".") && group != "k8s.io" && !strings.HasSuffix(group, ".k8s.io")
}

// simulateCall answers the data sources the program invokes.
func simulateCall(token string, args resource.PropertyMap) (resource.PropertyMap, error) {
	switch token {
	case "gcp:organizations/getProject:getProject":
		out := args.Copy()
		out["number"] = resource.NewProperty(SimulatedProjectNumber)
		return out, nil
	}
	return args, nil
}

// urn builds the URN exactly as Pulumi's mock monitor does, so that a recording's parents
// and dependencies name its resources.
func urn(stack, project, parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(project), parentType, tokens.Type(typ), name))
}

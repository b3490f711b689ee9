package rules

import (
	"strings"

	"github.com/conveyor-paas/conveyor/evaluation"
)

// Type tokens of the resources Conveyor creates, as the Pulumi providers name them.
const (
	TypeNamespace      = "kubernetes:core/v1:Namespace"
	TypeService        = "kubernetes:core/v1:Service"
	TypeServiceAccount = "kubernetes:core/v1:ServiceAccount"
	TypeSecret         = "kubernetes:core/v1:Secret"
	TypeConfigMap      = "kubernetes:core/v1:ConfigMap"
	TypePod            = "kubernetes:core/v1:Pod"
	TypeResourceQuota  = "kubernetes:core/v1:ResourceQuota"
	TypeLimitRange     = "kubernetes:core/v1:LimitRange"
	TypeDeployment     = "kubernetes:apps/v1:Deployment"
	TypeStatefulSet    = "kubernetes:apps/v1:StatefulSet"
	TypeDaemonSet      = "kubernetes:apps/v1:DaemonSet"
	TypeJob            = "kubernetes:batch/v1:Job"
	TypeCronJob        = "kubernetes:batch/v1:CronJob"
	TypeHPA            = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	TypePDB            = "kubernetes:policy/v1:PodDisruptionBudget"
	TypeNetworkPolicy  = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	TypeRole           = "kubernetes:rbac.authorization.k8s.io/v1:Role"
	TypeRoleBinding    = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"

	TypeGKECluster        = "gcp:container/cluster:Cluster"
	TypeGKENodePool       = "gcp:container/nodePool:NodePool"
	TypeSQLInstance       = "gcp:sql/databaseInstance:DatabaseInstance"
	TypeSQLDatabase       = "gcp:sql/database:Database"
	TypeSQLUser           = "gcp:sql/user:User"
	TypeTopic             = "gcp:pubsub/topic:Topic"
	TypeSubscription      = "gcp:pubsub/subscription:Subscription"
	TypeGCPServiceAccount = "gcp:serviceaccount/account:Account"
	TypeServiceAccountKey = "gcp:serviceaccount/key:Key"
)

// workloadTypes are the types that run pods, with the path of their pod template; a bare
// Pod is its own template.
var workloadTypes = map[string]string{
	TypeDeployment:  "spec.template",
	TypeStatefulSet: "spec.template",
	TypeDaemonSet:   "spec.template",
	TypeJob:         "spec.template",
	TypeCronJob:     "spec.jobTemplate.spec.template",
	TypePod:         "",
}

// WorkloadTypes lists the types that run pods.
func WorkloadTypes() []string {
	return []string{TypeDeployment, TypeStatefulSet, TypeDaemonSet, TypeJob, TypeCronJob, TypePod}
}

// clusterScopedKinds are the Kubernetes kinds that live outside namespaces; every other kind
// of object must sit in a namespace of its own environment.
var clusterScopedKinds = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "StorageClass": true,
	"ClusterRole": true, "ClusterRoleBinding": true, "CustomResourceDefinition": true,
	"PriorityClass": true, "MutatingWebhookConfiguration": true,
	"ValidatingWebhookConfiguration": true, "APIService": true, "IngressClass": true,
	"RuntimeClass": true, "CSIDriver": true, "VolumeSnapshotClass": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true,
}

// isKubernetes reports whether typ is a Kubernetes object (not the provider itself, nor a
// Helm chart or YAML component, which hold no object of their own).
func isKubernetes(typ string) bool { return evaluation.IsKubernetesObject(typ) }

// kubernetesKind is the object kind of a Kubernetes type token ("Deployment").
func kubernetesKind(typ string) string {
	return typ[strings.LastIndex(typ, ":")+1:]
}

func isNamespaced(typ string) bool {
	return isKubernetes(typ) && !clusterScopedKinds[kubernetesKind(typ)]
}

// isGCP reports whether typ is a Google Cloud resource.
func isGCP(typ string) bool { return strings.HasPrefix(typ, "gcp:") }

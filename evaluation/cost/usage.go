package cost

import (
	"fmt"

	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/evaluation/kube"
	"github.com/conveyor-paas/conveyor/naming"
)

// The GCP resource types an estimate reads from an offline evaluation.
const (
	typeTopic       = "gcp:pubsub/topic:Topic"
	typeGKECluster  = "gcp:container/cluster:Cluster"
	typeNodePool    = "gcp:container/nodePool:NodePool"
	typeSQLInstance = "gcp:sql/databaseInstance:DatabaseInstance"
)

// Usage is what an environment's stack runs that costs money, as its offline evaluation
// says.
type Usage struct {
	Workloads []Workload `json:"workloads"`
	// Topics are the Pub/Sub topics by space and module.
	Topics []Topic `json:"topics"`
}

// Topic is one Pub/Sub topic of a module.
type Topic struct {
	Space  string `json:"space"`
	Module string `json:"module"`
	Name   string `json:"name"`
}

// EnvironmentUsage reads the usage of an environment stack's evaluation.
func EnvironmentUsage(rec *evaluation.Recording) (Usage, error) {
	objects, err := kube.Objects(rec)
	if err != nil {
		return Usage{}, err
	}
	plain := make([]map[string]any, len(objects))
	for i, o := range objects {
		plain[i] = o
	}
	u := Usage{}
	if u.Workloads, err = Workloads(plain); err != nil {
		return Usage{}, err
	}
	for _, r := range rec.Custom() {
		if r.Type != typeTopic {
			continue
		}
		in := r.Inputs.Mappable()
		labels, _ := in["labels"].(map[string]any)
		u.Topics = append(u.Topics, Topic{Space: str(labels[naming.GCPLabelSpace]), Module: str(labels[naming.GCPLabelModule]), Name: str(in["name"])})
	}
	return u, nil
}

// ClusterUsage is what a cluster stack runs that costs money: the GKE cluster, its node
// pools and the Cloud SQL instance its environments share.
type ClusterUsage struct {
	Stack     string     `json:"stack"`
	Region    string     `json:"region"`
	Clusters  int        `json:"clusters"`
	NodePools []NodePool `json:"nodePools"`
	SQL       *SQL       `json:"sql,omitempty"`
}

// NodePool is an autoscaled pool: its machine type and how many nodes, over all its zones.
type NodePool struct {
	Name        string `json:"name"`
	MachineType string `json:"machineType"`
	Spot        bool   `json:"spot,omitempty"`
	Min         int    `json:"min"`
	Max         int    `json:"max"`
}

// SQL is a Cloud SQL instance.
type SQL struct {
	Tier string `json:"tier"`
	// DiskGiB is the disk it starts with (it grows automatically; 10 GiB unless set).
	DiskGiB int `json:"diskGiB"`
	// HighlyAvailable: REGIONAL availability, a standby in a second zone, billed twice.
	HighlyAvailable bool `json:"highlyAvailable,omitempty"`
}

// defaultSQLDiskGiB is Cloud SQL's disk size when none is set.
const defaultSQLDiskGiB = 10

// ClusterStackUsage reads the usage of a cluster stack's evaluation.
func ClusterStackUsage(stack string, rec *evaluation.Recording) (ClusterUsage, error) {
	c := ClusterUsage{Stack: stack}
	for _, r := range rec.Custom() {
		in := r.Inputs.Mappable()
		switch r.Type {
		case typeGKECluster:
			c.Clusters++
			c.Region = str(in["location"])
		case typeNodePool:
			cfg, _ := in["nodeConfig"].(map[string]any)
			auto, _ := in["autoscaling"].(map[string]any)
			spot, _ := cfg["spot"].(bool)
			c.NodePools = append(c.NodePools, NodePool{Name: str(in["name"]), MachineType: str(cfg["machineType"]), Spot: spot,
				Min: num(auto["totalMinNodeCount"], 0), Max: num(auto["totalMaxNodeCount"], 0)})
		case typeSQLInstance:
			settings, _ := in["settings"].(map[string]any)
			c.SQL = &SQL{Tier: str(settings["tier"]), DiskGiB: num(settings["diskSize"], defaultSQLDiskGiB), HighlyAvailable: settings["availabilityType"] == "REGIONAL"}
		}
	}
	if c.Clusters == 0 || len(c.NodePools) == 0 {
		return ClusterUsage{}, fmt.Errorf("stack %s makes no GKE cluster with node pools: it is no cluster stack an environment's pods can be priced on", stack)
	}
	return c, nil
}

// PodPool is the pool pods are priced on: the first on-demand pool (a workload lands on
// spot nodes only if it tolerates them, and Conveyor's do not ask to), else the first.
func (c ClusterUsage) PodPool() NodePool {
	for _, p := range c.NodePools {
		if !p.Spot {
			return p
		}
	}
	return c.NodePools[0]
}

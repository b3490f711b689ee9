// Package components holds Conveyor's reusable Pulumi ComponentResources: Cluster, Space,
// Module and Component. Every physical name comes from the naming package, every resource
// carries the convention's labels, and the Kubernetes and GCP providers are always passed in
// explicitly, so another platform team can import these into its own Pulumi Go program.
//
// The type tokens are conveyor:platform:Cluster, conveyor:platform:Space,
// conveyor:platform:Module and conveyor:platform:Component (naming.TypeCluster, ...).
package components

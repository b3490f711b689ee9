// Package stacks turns a stack into what it stands for: a cluster stack ("cluster-<name>")
// into a Cluster, and any other stack into an environment built from the catalog onto its
// cluster. Program is the one function both `pulumi up` (through cmd/platform) and the
// conveyor command run, so the two paths deploy exactly the same thing.
package stacks

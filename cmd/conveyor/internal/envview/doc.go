// Package envview is an environment as the read verbs (status, logs, explain, render,
// comment, secret) see it: its configuration as the next update would have it, its catalog,
// the program evaluated offline, the Kubernetes objects that evaluation makes, the desired
// state status holds a cluster against, and how to reach the environment's cluster.
//
// A View walks that chain once (view.go); reaching a cluster is reach.go, through a local
// kubeconfig context (kubeconfig.go, refused unless it is a local cluster: locality.go) or
// the kubeconfig a cluster stack exports. A Reader (reader.go) is each read verb's work in one
// call, read_<verb>.go, returning what the verb prints; its errors are typed (errors.go) and
// the command gives each kind its exit code.
//
// Nothing here writes: what changes an environment is stackops'.
package envview

// Package apiserver is the test tier that asks the real systems: every Kubernetes object of
// every shipped stack is applied to a real kube-apiserver (with Pod Security admission, quotas
// and limit ranges as in a cluster), and every topic and subscription is created in the Pub/Sub
// emulator. What Kubernetes or Pub/Sub would reject is caught here, before a cluster sees it.
package apiserver

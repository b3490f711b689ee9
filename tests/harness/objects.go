package harness

import (
	"context"

	"github.com/conveyor-paas/conveyor/internal/kubeobjects"
)

// ObjectRef names one live object: "Kind namespace/name", or "Kind name" for a cluster-scoped
// one.
type ObjectRef = kubeobjects.Ref

// Ref makes an ObjectRef.
func Ref(kind, namespace, name string) ObjectRef { return kubeobjects.RefOf(kind, namespace, name) }

// Labelled lists every object of every kind the API server can list, in every namespace,
// that matches the label selector: what a test asserts is gone after a destroy, including
// what controllers made on the side (ReplicaSets, Pods, EndpointSlices, claims). It is sorted.
func (k *Kube) Labelled(ctx context.Context, selector string) ([]ObjectRef, error) {
	objects, err := k.list(ctx, selector)
	return kubeobjects.Refs(objects), err
}

// LabelledRoots is Labelled without the objects another object owns (ownerReferences): what
// a client such as the engine made, as opposed to what controllers made from it, which the
// garbage collector removes with their owners. A test compares it with a stack's state.
func (k *Kube) LabelledRoots(ctx context.Context, selector string) ([]ObjectRef, error) {
	objects, err := k.list(ctx, selector)
	return kubeobjects.Refs(kubeobjects.Roots(objects)), err
}

func (k *Kube) list(ctx context.Context, selector string) ([]kubeobjects.Object, error) {
	c, err := kubeobjects.New(k.Config)
	if err != nil {
		return nil, err
	}
	return c.List(ctx, selector)
}

package harness

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// ObjectRef names one live object: "Kind namespace/name", or "Kind name" for a cluster-scoped
// one.
type ObjectRef string

// Ref makes an ObjectRef.
func Ref(kind, namespace, name string) ObjectRef {
	if namespace == "" {
		return ObjectRef(kind + " " + name)
	}
	return ObjectRef(kind + " " + namespace + "/" + name)
}

// Labelled lists every object of every kind the API server can list, in every namespace,
// that matches the label selector: what a test asserts is gone after a destroy, including
// what controllers made on the side (ReplicaSets, Pods, EndpointSlices, claims). It is sorted.
func (k *Kube) Labelled(ctx context.Context, selector string) ([]ObjectRef, error) {
	return k.labelled(ctx, selector, false)
}

// LabelledRoots is Labelled without the objects another object owns (ownerReferences): what
// a client such as the engine made, as opposed to what controllers made from it, which the
// garbage collector removes with their owners. A test compares it with a stack's state.
func (k *Kube) LabelledRoots(ctx context.Context, selector string) ([]ObjectRef, error) {
	return k.labelled(ctx, selector, true)
}

func (k *Kube) labelled(ctx context.Context, selector string, rootsOnly bool) ([]ObjectRef, error) {
	// Listing every kind lists the deprecated ones too, which client-go would warn about.
	config := rest.CopyConfig(k.Config)
	config.WarningHandler = rest.NoWarnings{}
	disco, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	// The preferred version of each group: the same objects are served under several
	// versions, and listing each would report them twice.
	lists, err := disco.ServerPreferredResources()
	if err != nil {
		return nil, fmt.Errorf("discovering the API: %w", err)
	}
	var out []ObjectRef
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			return nil, err
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
				continue // subresources, and what cannot be listed
			}
			items, err := dyn.Resource(gv.WithResource(r.Name)).List(ctx, metav1.ListOptions{LabelSelector: selector})
			if err != nil {
				if meta.IsNoMatchError(err) {
					continue
				}
				return nil, fmt.Errorf("listing %s: %w", r.Name, err)
			}
			for _, o := range items.Items {
				if rootsOnly && len(o.GetOwnerReferences()) > 0 {
					continue
				}
				out = append(out, Ref(r.Kind, o.GetNamespace(), o.GetName()))
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

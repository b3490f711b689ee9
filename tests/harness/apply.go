package harness

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// applier server-side applies plain manifests of any kind, as the Pulumi provider does.
type applier struct {
	once    sync.Once
	err     error
	dynamic dynamic.Interface
	mapper  meta.RESTMapper
}

// Resource returns the dynamic client of an object's kind, in its namespace when the kind is
// namespaced.
func (k *Kube) Resource(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	a := &k.applier
	a.once.Do(func() {
		if a.dynamic, a.err = dynamic.NewForConfig(k.Config); a.err != nil {
			return
		}
		var disco discovery.DiscoveryInterface
		if disco, a.err = discovery.NewDiscoveryClientForConfig(k.Config); a.err == nil {
			a.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
		}
	})
	if a.err != nil {
		return nil, fmt.Errorf("the dynamic client: %w", a.err)
	}
	gvk := obj.GroupVersionKind()
	mapping, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("no API for %s: %w", gvk, err)
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.dynamic.Resource(mapping.Resource).Namespace(obj.GetNamespace()), nil
	}
	return a.dynamic.Resource(mapping.Resource), nil
}

// Apply server-side applies one manifest as fieldManager, forcing conflicts as the Pulumi
// provider does, and returns what the server stored.
func (k *Kube) Apply(ctx context.Context, manifest map[string]any, fieldManager string) (*unstructured.Unstructured, error) {
	obj := &unstructured.Unstructured{Object: manifest}
	resource, err := k.Resource(obj)
	if err != nil {
		return nil, err
	}
	return resource.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
}

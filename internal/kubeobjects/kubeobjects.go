// Package kubeobjects lists and deletes the live Kubernetes objects that carry a label,
// whatever their kind: what the conveyor command sweeps after a killed operation on a local
// environment (stackops/recover_sweep.go), and what the tests compare with a stack's state.
package kubeobjects

import (
	"context"
	stderrors "errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Ref names one live object: "Kind namespace/name", or "Kind name" for a cluster-scoped one.
type Ref string

// RefOf makes a Ref.
func RefOf(kind, namespace, name string) Ref {
	if namespace == "" {
		return Ref(kind + " " + name)
	}
	return Ref(kind + " " + namespace + "/" + name)
}

// parts splits a Ref into its kind, namespace and name.
func (r Ref) parts() (kind, namespace, name string) {
	kind, rest, _ := strings.Cut(string(r), " ")
	namespace, name, found := strings.Cut(rest, "/")
	if !found {
		return kind, "", rest
	}
	return kind, namespace, name
}

// Object is a live object found by List, with what it takes to delete it.
type Object struct {
	Ref      Ref
	resource schema.GroupVersionResource
	// Owned: another object owns it (ownerReferences), so the garbage collector removes it
	// with its owner.
	Owned bool
	// Deleting: its deletion has begun (a namespace that terminates, an object waiting for
	// its finalizers).
	Deleting bool
}

// Client lists and deletes objects of every kind the API server serves.
type Client struct {
	disco discovery.DiscoveryInterface
	dyn   dynamic.Interface
}

// New makes a Client for config.
func New(config *rest.Config) (*Client, error) {
	// Listing every kind lists the deprecated ones too, which client-go would warn about.
	config = rest.CopyConfig(config)
	config.WarningHandler = rest.NoWarnings{}
	disco, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	return &Client{disco: disco, dyn: dyn}, nil
}

// List lists every object of every kind the API server can list, in every namespace, that
// matches the label selector, sorted by Ref.
func (c *Client) List(ctx context.Context, selector string) ([]Object, error) {
	// The preferred version of each group: the same objects are served under several
	// versions, and listing each would report them twice.
	lists, err := c.disco.ServerPreferredResources()
	var failed *discovery.ErrGroupDiscoveryFailed
	if stderrors.As(err, &failed) {
		err = c.unlessAggregated(ctx, failed)
	}
	if err != nil {
		return nil, fmt.Errorf("discovering the API: %w", err)
	}
	var out []Object
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			return nil, err
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
				continue // subresources, and what cannot be listed
			}
			items, err := c.dyn.Resource(gv.WithResource(r.Name)).List(ctx, metav1.ListOptions{LabelSelector: selector})
			if err != nil {
				if meta.IsNoMatchError(err) {
					continue
				}
				return nil, fmt.Errorf("listing %s: %w", r.Name, err)
			}
			for _, o := range items.Items {
				out = append(out, Object{
					Ref:      RefOf(r.Kind, o.GetNamespace(), o.GetName()),
					resource: gv.WithResource(r.Name),
					Owned:    len(o.GetOwnerReferences()) > 0,
					Deleting: o.GetDeletionTimestamp() != nil,
				})
			}
		}
	}
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(string(a.Ref), string(b.Ref)) })
	return out, nil
}

// apiServices are the API server's APIServices: how each group version is served.
var apiServices = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// unlessAggregated returns failed unless every group version in it is an aggregated API: one
// an extension server serves (its APIService names a service), such as metrics-server, which
// is often broken on kind. No object Conveyor makes is served so (its kinds are built in or
// CRDs, served by the API server itself), so listing what the rest serves lists them all; a
// failing group the API server serves itself may hold some, and stays an error.
func (c *Client) unlessAggregated(ctx context.Context, failed *discovery.ErrGroupDiscoveryFailed) error {
	for gv := range failed.Groups {
		svc, err := c.dyn.Resource(apiServices).Get(ctx, gv.Version+"."+gv.Group, metav1.GetOptions{})
		if err != nil {
			return failed
		}
		if _, aggregated, _ := unstructured.NestedMap(svc.Object, "spec", "service"); !aggregated {
			return failed
		}
	}
	return nil
}

// Delete deletes o, with its dependents in the background; an object already gone is no
// error.
func (c *Client) Delete(ctx context.Context, o Object) error {
	_, namespace, name := o.Ref.parts()
	background := metav1.DeletePropagationBackground
	err := c.dyn.Resource(o.resource).Namespace(namespace).Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &background})
	if err != nil && !errors.IsNotFound(err) {
		return fmt.Errorf("deleting %s: %w", o.Ref, err)
	}
	return nil
}

// WaitGone waits until every one of objects is gone from the API server (its finalizers
// done: a namespace is gone once everything in it is), polling each second, until ctx ends.
func (c *Client) WaitGone(ctx context.Context, objects []Object) error {
	for _, o := range objects {
		_, namespace, name := o.Ref.parts()
		err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
			_, err := c.dyn.Resource(o.resource).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
			if errors.IsNotFound(err) {
				return true, nil
			}
			return false, err
		})
		if err != nil {
			return fmt.Errorf("waiting for %s to be gone: %w", o.Ref, err)
		}
	}
	return nil
}

// Refs are the Refs of objects.
func Refs(objects []Object) []Ref {
	out := make([]Ref, 0, len(objects))
	for _, o := range objects {
		out = append(out, o.Ref)
	}
	return out
}

// Roots are the objects no other object owns: what a client such as the engine made, as
// opposed to what controllers made from it.
func Roots(objects []Object) []Object {
	var out []Object
	for _, o := range objects {
		if !o.Owned {
			out = append(out, o)
		}
	}
	return out
}

// MadeByController reports whether ref is an object a controller makes, without an owner
// reference, from one of the objects of made: the Endpoints of a Service (its name), and the
// claims of a StatefulSet's volumeClaimTemplates (<template>-<statefulset>-<ordinal>), which
// Kubernetes keeps on purpose when the StatefulSet goes.
func MadeByController(ref Ref, made []Ref) bool {
	kind, namespace, name := ref.parts()
	switch kind {
	case "Endpoints":
		return slices.Contains(made, RefOf("Service", namespace, name))
	case "PersistentVolumeClaim":
		for _, r := range made {
			k, ns, set := r.parts()
			if k != "StatefulSet" || ns != namespace {
				continue
			}
			if i := strings.Index(name, "-"+set+"-"); i > 0 {
				if _, err := strconv.Atoi(name[i+len(set)+2:]); err == nil {
					return true
				}
			}
		}
	}
	return false
}

// Orphans are the roots among live, not already being deleted, that neither keep holds nor a
// controller made from what keep holds: what no state accounts for.
func Orphans(live []Object, keep []Ref) []Object {
	var out []Object
	for _, o := range Roots(live) {
		if !o.Deleting && !slices.Contains(keep, o.Ref) && !MadeByController(o.Ref, keep) {
			out = append(out, o)
		}
	}
	return out
}

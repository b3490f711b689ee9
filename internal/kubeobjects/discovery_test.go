package kubeobjects

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	dynamicfake "k8s.io/client-go/dynamic/fake"
)

// failingDiscovery is a test double of the API server's discovery: it serves lists, and fails
// the groups in failed as the API server does when an aggregated API does not answer
// (metrics-server, often broken on kind): the other groups' lists with an
// ErrGroupDiscoveryFailed.
type failingDiscovery struct {
	discovery.DiscoveryInterface
	lists  []*metav1.APIResourceList
	failed map[schema.GroupVersion]error
}

func (d failingDiscovery) ServerPreferredResources() ([]*metav1.APIResourceList, error) {
	if len(d.failed) > 0 {
		return d.lists, &discovery.ErrGroupDiscoveryFailed{Groups: d.failed}
	}
	return d.lists, nil
}

// apiService is an APIService as the API server stores it: served by an extension server
// (aggregated) when service is set, by the API server itself (a CRD's group) otherwise.
func apiService(gv schema.GroupVersion, service bool) *unstructured.Unstructured {
	spec := map[string]any{"group": gv.Group, "version": gv.Version}
	if service {
		spec["service"] = map[string]any{"namespace": "kube-system", "name": "metrics-server"}
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
		"metadata": map[string]any{"name": gv.Version + "." + gv.Group},
		"spec":     spec,
	}}
}

// TestListSurvivesAnAggregatedAPIThatFails: a failing aggregated API cannot hold objects
// Conveyor made (they are all served by the API server itself: built-in kinds and CRDs), so
// List lists the rest; a failing group the API server serves itself may hold some, and stays
// an error (issue 27, defect 9: the sweep, and so a successful destroy, failed on kind).
func TestListSurvivesAnAggregatedAPIThatFails(t *testing.T) {
	metrics := schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}
	mesh := schema.GroupVersion{Group: "security.istio.io", Version: "v1"}
	configMap := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "settings", "namespace": "pr-1-sales", "labels": map[string]any{"conveyor.io/environment": "pr-1"}},
	}}
	lists := []*metav1.APIResourceList{{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "configmaps", Kind: "ConfigMap", Namespaced: true, Verbs: []string{"list", "delete"}}}}}
	tests := []struct {
		name    string
		failed  schema.GroupVersion
		service bool
		want    []Ref
		wantErr bool
	}{
		{"an aggregated API fails", metrics, true, []Ref{RefOf("ConfigMap", "pr-1-sales", "settings")}, false},
		{"a group the API server serves fails", mesh, false, []Ref{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
				{Version: "v1", Resource: "configmaps"}:                                   "ConfigMapList",
				{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}: "APIServiceList",
			}, configMap, apiService(tt.failed, tt.service))
			c := &Client{disco: failingDiscovery{lists: lists, failed: map[schema.GroupVersion]error{tt.failed: errors.New("the server is currently unable to handle the request")}}, dyn: dyn}
			got, err := c.List(context.Background(), "conveyor.io/environment=pr-1")
			if (err != nil) != tt.wantErr {
				t.Fatalf("List: %v, want an error: %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, Refs(got)); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
		})
	}
}

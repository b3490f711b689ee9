package kubeobjects

import (
	"slices"
	"testing"
)

func TestOrphans(t *testing.T) {
	kept := []Ref{
		RefOf("Namespace", "", "pr-1-sales"),
		RefOf("Service", "pr-1-sales", "quotes-api"),
		RefOf("StatefulSet", "pr-1-conveyor", "conveyor-postgres"),
	}
	tests := []struct {
		name   string
		live   Object
		orphan bool
	}{
		{"an object the state holds", Object{Ref: RefOf("Namespace", "", "pr-1-sales")}, false},
		{"an object no state holds", Object{Ref: RefOf("Deployment", "pr-1-sales", "old-api")}, true},
		{"an object another owns", Object{Ref: RefOf("ReplicaSet", "pr-1-sales", "old-api-5d9"), Owned: true}, false},
		{"an object already being deleted", Object{Ref: RefOf("Namespace", "", "pr-1-gone"), Deleting: true}, false},
		{"the Endpoints of a Service the state holds", Object{Ref: RefOf("Endpoints", "pr-1-sales", "quotes-api")}, false},
		{"the Endpoints of a Service no state holds", Object{Ref: RefOf("Endpoints", "pr-1-sales", "old-api")}, true},
		{"a claim of a StatefulSet the state holds", Object{Ref: RefOf("PersistentVolumeClaim", "pr-1-conveyor", "data-conveyor-postgres-0")}, false},
		{"a claim of a StatefulSet no state holds", Object{Ref: RefOf("PersistentVolumeClaim", "pr-1-conveyor", "data-other-0")}, true},
		{"a claim that only looks like one", Object{Ref: RefOf("PersistentVolumeClaim", "pr-1-conveyor", "data-conveyor-postgres-x")}, true},
		{"a claim in another namespace", Object{Ref: RefOf("PersistentVolumeClaim", "pr-1-sales", "data-conveyor-postgres-0")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := len(Orphans([]Object{tt.live}, kept)) == 1
			if got != tt.orphan {
				t.Errorf("Orphans(%s) = %v, want %v", tt.live.Ref, got, tt.orphan)
			}
		})
	}
	t.Run("nothing kept: every root not being deleted", func(t *testing.T) {
		live := []Object{{Ref: "Namespace a"}, {Ref: "Pod a/p", Owned: true}, {Ref: "Namespace b", Deleting: true}, {Ref: "Endpoints a/s"}}
		if got := Refs(Orphans(live, nil)); !slices.Equal(got, []Ref{"Namespace a", "Endpoints a/s"}) {
			t.Errorf("Orphans = %v", got)
		}
	})
}

func TestRefParts(t *testing.T) {
	for _, tt := range []struct{ kind, namespace, name string }{{"Namespace", "", "dev-sales"}, {"Service", "dev-sales", "quotes-api"}} {
		k, ns, n := RefOf(tt.kind, tt.namespace, tt.name).parts()
		if k != tt.kind || ns != tt.namespace || n != tt.name {
			t.Errorf("parts of %s = %q %q %q", RefOf(tt.kind, tt.namespace, tt.name), k, ns, n)
		}
	}
}

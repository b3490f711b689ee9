package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
)

// The Istio API the service mesh is tested against: the module tools/istio pins, and the file
// of it that holds every CustomResourceDefinition of Istio's APIs.
const (
	istioModuleDir = "istio"
	istioAPIModule = "istio.io/api"
	istioCRDsFile  = "kubernetes/customresourcedefinitions.gen.yaml"
	// istioFieldManager owns the CRDs, as Istio's base chart would.
	istioFieldManager = "istio-base"
)

// IstioCRDs are Istio's CustomResourceDefinitions, from the istio.io/api module that
// tools/istio pins. The module is only downloaded (the Go module proxy serves it), never built.
func IstioCRDs(ctx context.Context) ([]map[string]any, error) {
	tools, err := toolsDir()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(tools, istioModuleDir)
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("reading the Istio tool module: %w", err)
	}
	version, err := requiredVersion(goMod, istioAPIModule)
	if err != nil {
		return nil, fmt.Errorf("tools/%s/go.mod: %w", istioModuleDir, err)
	}
	moduleDir, err := moduleDir(ctx, "go", dir, istioAPIModule+"@"+version)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(moduleDir, istioCRDsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading Istio's CRDs: %w", err)
	}
	return decodeManifests(path, data)
}

// decodeManifests reads every non-empty document of a multi-document YAML file.
func decodeManifests(path string, data []byte) ([]map[string]any, error) {
	dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []map[string]any
	for i := 0; ; i++ {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s, document %d: %w", path, i+1, err)
		}
		if len(doc) > 0 {
			out = append(out, doc)
		}
	}
}

// InstallIstioCRDs server-side applies Istio's CRDs, as its base chart does, and waits until
// the API server serves every one of them.
func (k *Kube) InstallIstioCRDs(ctx context.Context) error {
	crds, err := IstioCRDs(ctx)
	if err != nil {
		return err
	}
	for _, crd := range crds {
		stored, err := k.Apply(ctx, crd, istioFieldManager)
		if err != nil {
			return fmt.Errorf("applying Istio's CRD %v: %w", crd["metadata"], err)
		}
		if err := k.waitEstablished(ctx, stored.GetName()); err != nil {
			return err
		}
	}
	return nil
}

// waitEstablished waits for a CRD's Established condition, after which its kinds are served.
func (k *Kube) waitEstablished(ctx context.Context, name string) error {
	client, err := k.Resource(&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
	}})
	if err != nil {
		return err
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		crd, err := client.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, c := range conditions {
			if c, ok := c.(map[string]any); ok && c["type"] == "Established" && c["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("CRD %s never became established: %w", name, err)
	}
	return nil
}

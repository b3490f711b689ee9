package sleeper

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/conveyor-paas/conveyor/naming"
)

// Workload is one Deployment or CronJob the sleeper touched, or released.
type Workload struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

func (w Workload) String() string { return w.Kind + " " + w.Namespace + "/" + w.Name }

// selector finds env's objects; ofModule narrows them to its modules' workloads, the ones the
// program renders asleep (components.Environment.Asleep): not the platform's own.
func selector(env string) string {
	return naming.LabelEnvironment + "=" + env + "," + naming.LabelModule
}

func ofModule(env string, meta metav1.ObjectMeta) bool {
	return meta.Namespace != naming.PlatformNamespace(env) && meta.Labels[naming.LabelSpace] != naming.ReservedSpace
}

// ScaleDown scales every module Deployment of env to zero, through its scale subresource, and
// suspends every module CronJob, as the sleeper: it returns what it changed. What is already
// asleep is left alone, so a second run changes nothing.
func ScaleDown(ctx context.Context, client kubernetes.Interface, env string) ([]Workload, error) {
	var changed []Workload
	deployments, err := client.AppsV1().Deployments("").List(ctx, metav1.ListOptions{LabelSelector: selector(env)})
	if err != nil {
		return nil, fmt.Errorf("listing the Deployments of %s: %w", env, err)
	}
	zero := []byte(`{"spec":{"replicas":0}}`)
	for _, d := range deployments.Items {
		if !ofModule(env, d.ObjectMeta) || (d.Spec.Replicas != nil && *d.Spec.Replicas == 0) {
			continue
		}
		if _, err := client.AppsV1().Deployments(d.Namespace).Patch(ctx, d.Name, types.MergePatchType, zero,
			metav1.PatchOptions{FieldManager: naming.SleeperFieldManager}, "scale"); err != nil {
			return changed, fmt.Errorf("scaling Deployment %s/%s to zero: %w", d.Namespace, d.Name, err)
		}
		changed = append(changed, Workload{"Deployment", d.Namespace, d.Name})
	}
	crons, err := client.BatchV1().CronJobs("").List(ctx, metav1.ListOptions{LabelSelector: selector(env)})
	if err != nil {
		return changed, fmt.Errorf("listing the CronJobs of %s: %w", env, err)
	}
	suspend := []byte(`{"spec":{"suspend":true}}`)
	for _, c := range crons.Items {
		if !ofModule(env, c.ObjectMeta) || (c.Spec.Suspend != nil && *c.Spec.Suspend) {
			continue
		}
		if _, err := client.BatchV1().CronJobs(c.Namespace).Patch(ctx, c.Name, types.MergePatchType, suspend,
			metav1.PatchOptions{FieldManager: naming.SleeperFieldManager}); err != nil {
			return changed, fmt.Errorf("suspending CronJob %s/%s: %w", c.Namespace, c.Name, err)
		}
		changed = append(changed, Workload{"CronJob", c.Namespace, c.Name})
	}
	return changed, nil
}

// Release removes the sleeper's field ownership from every module Deployment and CronJob of
// env, with the deployer's rights, and returns the workloads it released. The values stay:
// the update that follows owns them alone, and sets or drops them as the program declares.
// Each write carries the object's resourceVersion, so one that raced another writer fails
// rather than dropping that writer's fields.
func Release(ctx context.Context, client kubernetes.Interface, env string) ([]Workload, error) {
	var released []Workload
	deployments, err := client.AppsV1().Deployments("").List(ctx, metav1.ListOptions{LabelSelector: selector(env)})
	if err != nil {
		return nil, fmt.Errorf("listing the Deployments of %s: %w", env, err)
	}
	for _, d := range deployments.Items {
		patch, ok, err := releasePatch(d.ObjectMeta)
		if err != nil || !ok || !ofModule(env, d.ObjectMeta) {
			if err != nil {
				return released, err
			}
			continue
		}
		if _, err := client.AppsV1().Deployments(d.Namespace).Patch(ctx, d.Name, types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
			return released, fmt.Errorf("releasing Deployment %s/%s from the sleeper: %w", d.Namespace, d.Name, err)
		}
		released = append(released, Workload{"Deployment", d.Namespace, d.Name})
	}
	crons, err := client.BatchV1().CronJobs("").List(ctx, metav1.ListOptions{LabelSelector: selector(env)})
	if err != nil {
		return released, fmt.Errorf("listing the CronJobs of %s: %w", env, err)
	}
	for _, c := range crons.Items {
		patch, ok, err := releasePatch(c.ObjectMeta)
		if err != nil || !ok || !ofModule(env, c.ObjectMeta) {
			if err != nil {
				return released, err
			}
			continue
		}
		if _, err := client.BatchV1().CronJobs(c.Namespace).Patch(ctx, c.Name, types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
			return released, fmt.Errorf("releasing CronJob %s/%s from the sleeper: %w", c.Namespace, c.Name, err)
		}
		released = append(released, Workload{"CronJob", c.Namespace, c.Name})
	}
	return released, nil
}

// releasePatch is the JSON patch that drops the sleeper's entries from meta's managedFields,
// guarded by its resourceVersion; ok is false when the sleeper owns nothing there.
func releasePatch(meta metav1.ObjectMeta) ([]byte, bool, error) {
	kept := slices.DeleteFunc(slices.Clone(meta.ManagedFields), func(e metav1.ManagedFieldsEntry) bool {
		return e.Manager == naming.SleeperFieldManager
	})
	if len(kept) == len(meta.ManagedFields) {
		return nil, false, nil
	}
	patch, err := json.Marshal([]map[string]any{
		{"op": "test", "path": "/metadata/resourceVersion", "value": meta.ResourceVersion},
		{"op": "replace", "path": "/metadata/managedFields", "value": kept},
	})
	if err != nil {
		return nil, false, fmt.Errorf("releasing %s/%s: %w", meta.Namespace, meta.Name, err)
	}
	return patch, true, nil
}

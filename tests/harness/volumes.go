package harness

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProvisionedLabel marks the PersistentVolumes the harness's provisioner made.
const ProvisionedLabel = "harness.conveyor.io/provisioned"

// volumePoll is how often the provisioner looks for claims and released volumes; the API
// server is on loopback, so a short period costs little and keeps a StatefulSet's first pod
// from waiting.
const volumePoll = 250 * time.Millisecond

// provisionVolumes plays a cluster's dynamic volume provisioner until ctx ends: kwok's fake
// nodes mount nothing and the control plane has no provisioner, so a claim (such as the one
// of a StatefulSet's volumeClaimTemplates) would stay Pending and its pod unschedulable.
// Every pending claim without a volume gets a PersistentVolume of its own, pre-bound to it,
// of the size, access modes, class and mode it asks for; the PV controller then binds them as
// it binds any pre-bound volume. A volume whose claim was deleted (Released) is deleted in
// turn, as a provisioner's Delete reclaim policy would, so that nothing is left behind.
func (k *Kube) provisionVolumes(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	var lastErr string
	for {
		err := k.reconcileVolumes(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil && err.Error() != lastErr {
			k.logf("harness: volume provisioner: %v", err)
		}
		lastErr = ""
		if err != nil {
			lastErr = err.Error()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(volumePoll):
		}
	}
}

func (k *Kube) reconcileVolumes(ctx context.Context) error {
	claims, err := k.Client.CoreV1().PersistentVolumeClaims(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing claims: %w", err)
	}
	for i := range claims.Items {
		c := &claims.Items[i]
		if c.Spec.VolumeName != "" || c.Status.Phase != corev1.ClaimPending || c.DeletionTimestamp != nil {
			continue
		}
		pv := volumeFor(c, k.volumeRoot())
		if k.node != nil {
			// A real node mounts the directory: it must exist, and be writable by whatever
			// user the pod runs as, as a local-path provisioner makes it.
			if err := os.MkdirAll(pv.Spec.HostPath.Path, 0o755); err != nil {
				return fmt.Errorf("creating the directory of the volume for claim %s/%s: %w", c.Namespace, c.Name, err)
			}
			if err := os.Chmod(pv.Spec.HostPath.Path, 0o777); err != nil {
				return fmt.Errorf("opening the directory of the volume for claim %s/%s: %w", c.Namespace, c.Name, err)
			}
		}
		if _, err := k.Client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating a volume for claim %s/%s: %w", c.Namespace, c.Name, err)
		}
	}
	volumes, err := k.Client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{LabelSelector: ProvisionedLabel + "=true"})
	if err != nil {
		return fmt.Errorf("listing volumes: %w", err)
	}
	for _, v := range volumes.Items {
		if v.Status.Phase != corev1.VolumeReleased && v.Status.Phase != corev1.VolumeFailed {
			continue
		}
		if err := k.Client.CoreV1().PersistentVolumes().Delete(ctx, v.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting released volume %s: %w", v.Name, err)
		}
		if k.node != nil && v.Spec.HostPath != nil && strings.HasPrefix(v.Spec.HostPath.Path, k.volumeRoot()+"/") {
			if err := os.RemoveAll(v.Spec.HostPath.Path); err != nil {
				return fmt.Errorf("removing the data of released volume %s: %w", v.Name, err)
			}
		}
	}
	return nil
}

// volumeRoot is where the volumes' directories are: on a real node, in the node's directory,
// removed with it; kwok's nodes mount nothing, so the path is only a name there.
func (k *Kube) volumeRoot() string {
	if k.node != nil {
		return k.node.paths.join("volumes")
	}
	return "/var/lib/conveyor-harness"
}

// volumeFor is the volume that satisfies claim c, a directory under root named after the
// claim's uid so that a claim gets one volume however often it is seen pending.
func volumeFor(c *corev1.PersistentVolumeClaim, root string) *corev1.PersistentVolume {
	size, ok := c.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		size = resource.MustParse("1Gi")
	}
	modes := c.Spec.AccessModes
	if len(modes) == 0 {
		modes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	}
	var class string
	if c.Spec.StorageClassName != nil {
		class = *c.Spec.StorageClassName
	}
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{
			Name:   "harness-pv-" + string(c.UID),
			Labels: map[string]string{ProvisionedLabel: "true"},
		},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:         corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:      modes,
			StorageClassName: class,
			VolumeMode:       c.Spec.VolumeMode,
			ClaimRef: &corev1.ObjectReference{
				APIVersion: "v1", Kind: "PersistentVolumeClaim",
				Namespace: c.Namespace, Name: c.Name, UID: c.UID,
			},
			// Deleted by the provisioner once released (see provisionVolumes); Retain keeps
			// the PV controller from looking for a deleter plugin that does not exist here.
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: path.Join(root, string(c.UID))},
			},
		},
	}
}

package components

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// annotationFieldManager is the kubernetes provider's annotation that names the field
// manager its server-side apply uses for an object.
const annotationFieldManager = "pulumi.com/patchFieldManager"

// fieldManager is the one field manager every object Conveyor makes is applied under.
//
// Without it each run of the kubernetes provider picks a random manager
// (pulumi-kubernetes-<random>) for an object it creates, and records it in the state only
// once the create has succeeded. When an update dies after the create reached the cluster but
// before the state recorded it, the next update creates the object again under another
// random manager, and the API server refuses that apply wherever the two managers' values
// differ (a field conflict, seen on a StatefulSet's volumeClaimTemplates). One fixed manager
// makes the second create an apply by the same owner, which adopts the object.
const fieldManager = naming.Project

// managedAnnotations are the annotations of every object Conveyor makes (not of the pod
// templates inside them, which the provider does not apply on their own).
func managedAnnotations() pulumi.StringMap {
	return pulumi.StringMap{annotationFieldManager: pulumi.String(fieldManager)}
}

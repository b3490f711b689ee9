package harness

import (
	"context"
)

// ReadPodFile asks the test service in pod ns/pod (port 8080) for the file at path as the
// pod sees it, through the API server's proxy to the pod: its bytes, or an error that carries
// the service's account of why it cannot read it (no such file, permission denied).
func (k *Kube) ReadPodFile(ctx context.Context, ns, pod, path string) (string, error) {
	return k.askTestService(ctx, ns, pod, "file", map[string]string{"path": path})
}

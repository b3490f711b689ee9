package harness

import (
	"context"
	"fmt"
)

// ReadPodFile asks the test service in pod ns/pod (port 8080) for the file at path as the
// pod sees it, through the API server's proxy to the pod: its bytes, or an error that carries
// the service's account of why it cannot read it (no such file, permission denied).
func (k *Kube) ReadPodFile(ctx context.Context, ns, pod, path string) (string, error) {
	body, err := k.Client.CoreV1().RESTClient().Get().
		Namespace(ns).Resource("pods").Name(pod+":8080").SubResource("proxy").Suffix("file").
		Param("path", path).DoRaw(ctx)
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, body)
	}
	return string(body), nil
}

package harness

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestServicePod is a pod of the test service (tests/harness/cmd/testservice) on the real
// node, Ready once it answers /healthz on 8080: the place a test tries connections from.
func TestServicePod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:            "testservice",
				Image:           TestServiceImage,
				ImagePullPolicy: corev1.PullNever,
				Ports:           []corev1.ContainerPort{{ContainerPort: 8080}},
				ReadinessProbe: &corev1.Probe{
					ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}},
					PeriodSeconds: 1,
				},
			}},
		},
	}
}

// Probe asks the test service in pod ns/pod to try target (a URL for an HTTP GET, host:port
// for a TCP connection), through the API server's proxy to the pod, and returns its answer:
// "200 OK: ok" or "connected"; an error carries the service's account of a refusal or a
// dropped connection ("no answer within 3s").
func (k *Kube) Probe(ctx context.Context, ns, pod, target string) (string, error) {
	return k.askTestService(ctx, ns, pod, "probe", map[string]string{"target": target})
}

// OpenDatabase asks the test service in pod ns/pod to open a PostgreSQL database with the
// pod's own credentials ($DATABASE_USER, $DATABASE_PASSWORD): database, "" for the pod's
// own ($DATABASE_NAME), at host ("host:port", "" for the pod's own server). It returns
// "opened <database> as <user>"; an error carries the server's refusal, or "no answer" for
// a dropped connection.
func (k *Kube) OpenDatabase(ctx context.Context, ns, pod, database, host string) (string, error) {
	return k.askTestService(ctx, ns, pod, "db", map[string]string{"database": database, "host": host})
}

// askTestService GETs path of the test service in pod ns/pod (port 8080), through the API
// server's proxy to the pod, with the params that are not empty. An error carries the
// service's answer.
func (k *Kube) askTestService(ctx context.Context, ns, pod, path string, params map[string]string) (string, error) {
	req := k.Client.CoreV1().RESTClient().Get().
		Namespace(ns).Resource("pods").Name(pod + ":8080").SubResource("proxy").Suffix(path)
	for name, value := range params {
		if value != "" {
			req = req.Param(name, value)
		}
	}
	body, err := req.DoRaw(ctx)
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, body)
	}
	return string(body), nil
}

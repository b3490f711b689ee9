package status

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"golang.org/x/sync/errgroup"
)

// Snapshot is one read of what the cluster has in an environment's namespaces.
type Snapshot struct {
	Taken      time.Time
	Namespaces map[string]*Namespace
}

// Namespace holds the objects of one namespace that the status looks at.
type Namespace struct {
	Exists         bool
	Deployments    []appsv1.Deployment
	StatefulSets   []appsv1.StatefulSet
	ReplicaSets    []appsv1.ReplicaSet
	Pods           []corev1.Pod
	Jobs           []batchv1.Job
	CronJobs       []batchv1.CronJob
	Services       []corev1.Service
	EndpointSlices []discoveryv1.EndpointSlice
	// Events are the namespace's warning events.
	Events []corev1.Event
}

// Read lists, in each namespace, every kind of object the status looks at: a handful of
// list calls per namespace, made at once, rather than one call per object. Each call fills
// a field of its own, so they need no lock.
func Read(ctx context.Context, client kubernetes.Interface, namespaces []string, now time.Time) (*Snapshot, error) {
	s := &Snapshot{Taken: now, Namespaces: map[string]*Namespace{}}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, name := range namespaces {
		ns := &Namespace{}
		s.Namespaces[name] = ns
		g.Go(func() error {
			_, err := client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("reading namespace %s: %w", name, err)
			}
			ns.Exists = true
			return nil
		})
		list := func(what string, opts metav1.ListOptions, read func(context.Context, metav1.ListOptions) error) {
			g.Go(func() error {
				if err := read(ctx, opts); err != nil && !apierrors.IsNotFound(err) {
					return fmt.Errorf("listing %s in %s: %w", what, name, err)
				}
				return nil
			})
		}
		all := metav1.ListOptions{}
		list("deployments", all, into(&ns.Deployments, func(l *appsv1.DeploymentList) []appsv1.Deployment { return l.Items }, client.AppsV1().Deployments(name).List))
		list("statefulsets", all, into(&ns.StatefulSets, func(l *appsv1.StatefulSetList) []appsv1.StatefulSet { return l.Items }, client.AppsV1().StatefulSets(name).List))
		list("replicasets", all, into(&ns.ReplicaSets, func(l *appsv1.ReplicaSetList) []appsv1.ReplicaSet { return l.Items }, client.AppsV1().ReplicaSets(name).List))
		list("pods", all, into(&ns.Pods, func(l *corev1.PodList) []corev1.Pod { return l.Items }, client.CoreV1().Pods(name).List))
		list("jobs", all, into(&ns.Jobs, func(l *batchv1.JobList) []batchv1.Job { return l.Items }, client.BatchV1().Jobs(name).List))
		list("cronjobs", all, into(&ns.CronJobs, func(l *batchv1.CronJobList) []batchv1.CronJob { return l.Items }, client.BatchV1().CronJobs(name).List))
		list("services", all, into(&ns.Services, func(l *corev1.ServiceList) []corev1.Service { return l.Items }, client.CoreV1().Services(name).List))
		list("endpoint slices", all, into(&ns.EndpointSlices, func(l *discoveryv1.EndpointSliceList) []discoveryv1.EndpointSlice { return l.Items }, client.DiscoveryV1().EndpointSlices(name).List))
		list("warning events", metav1.ListOptions{FieldSelector: "type=" + corev1.EventTypeWarning},
			into(&ns.Events, func(l *corev1.EventList) []corev1.Event { return l.Items }, client.CoreV1().Events(name).List))
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return s, nil
}

// into makes a read that stores a list's items in dst.
func into[L, T any](dst *[]T, items func(*L) []T, list func(context.Context, metav1.ListOptions) (*L, error)) func(context.Context, metav1.ListOptions) error {
	return func(ctx context.Context, opts metav1.ListOptions) error {
		l, err := list(ctx, opts)
		if err == nil {
			*dst = items(l)
		}
		return err
	}
}

// namespace returns the objects of a namespace; an unread one is empty.
func (s *Snapshot) namespace(name string) *Namespace {
	if ns, ok := s.Namespaces[name]; ok {
		return ns
	}
	return &Namespace{}
}

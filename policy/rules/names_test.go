package rules

import "github.com/conveyor-paas/conveyor/naming"

// Names are the names Conveyor gives the resources of one scope, every one from
// naming. Fixtures and tests build resources with them, so that a fixture is named
// exactly as the components name what they create.
type Names struct {
	// Namespace of the space in the environment: "<env>-<space>".
	Namespace string
	// Workload names the component's Deployment, Service, HPA, PDB and Job: "<module>-<component>".
	Workload string
	// CronJob names the component's CronJob, fitted to 52 characters.
	CronJob string
	// KubernetesServiceAccount is the module's: "<module>".
	KubernetesServiceAccount string
	// DatabaseSecret holds the module's database credentials: "<module>-database".
	DatabaseSecret string
	// Database and DatabaseUser are the module's Cloud SQL database and user: "<env>_<module>".
	Database     string
	DatabaseUser string
	// Topic carries the scope's event: "<env>.<space>.<module>.<event>".
	Topic string
	// Subscription is how the module reads FromSpace/FromModule's event:
	// "<env>.<space>.<module>.from.<from-space>.<from-module>.<event>".
	Subscription string
	// DeadLetterTopic receives what the subscription gave up on: "<subscription>.dead-letter".
	DeadLetterTopic string
	// ServiceAccountID is the module's GCP service account id, "<env>-<module>" fitted to 30.
	ServiceAccountID string
	// ServiceAccountDisplayName is "Conveyor <env>/<space>/<module>".
	ServiceAccountDisplayName string
	// KubernetesLabels and GCPLabels are the labels of the scope's resources.
	KubernetesLabels map[string]string
	GCPLabels        map[string]string
}

// NamesOf gives every name of a scope. Names whose facts the scope lacks come out partial,
// as the naming functions make them; fill in the facts a resource needs.
func NamesOf(s naming.Scope) Names {
	return Names{
		Namespace:                 naming.Namespace(s.Environment, s.Space),
		Workload:                  naming.Workload(s.Module, s.Component),
		CronJob:                   naming.CronJob(s.Module, s.Component),
		KubernetesServiceAccount:  naming.KubernetesServiceAccount(s.Module),
		DatabaseSecret:            naming.DatabaseSecret(s.Module),
		Database:                  naming.Database(s.Environment, s.Module),
		DatabaseUser:              naming.DatabaseUser(s.Environment, s.Module),
		Topic:                     naming.Topic(s.Environment, s.Space, s.Module, s.Event),
		Subscription:              naming.Subscription(s.Environment, s.Space, s.Module, s.FromSpace, s.FromModule, s.Event),
		DeadLetterTopic:           naming.DeadLetterTopic(s.Environment, s.Space, s.Module, s.FromSpace, s.FromModule, s.Event),
		ServiceAccountID:          naming.ServiceAccountID(s.Environment, s.Module),
		ServiceAccountDisplayName: naming.ServiceAccountDisplayName(s.Environment, s.Space, s.Module),
		KubernetesLabels:          naming.KubernetesLabels(s),
		GCPLabels:                 naming.GCPLabels(s),
	}
}

// Package naming owns every name Conveyor creates.
//
// The components call it to name what they create and the policy pack calls the very same
// functions to check what it sees, so a convention and its enforcement cannot drift apart.
// Names are deterministic: the same inputs give the same name on every run, and nothing is
// auto-named. A name longer than its target allows is cut and given a short hash of the full
// name (see Fit), so two long names never collide.
//
// The conventions, from the parts environment (env), space, module, component and event:
//
//	namespace                 <env>-<space>
//	workload, service         <module>-<component>
//	Kubernetes service acct   <module>
//	database secret           <module>-database
//	database and its user     <env>_<module>            (Postgres identifier)
//	topic                     <env>.<space>.<module>.<event>
//	subscription              <env>.<space>.<module>.from.<producer-space>.<producer-module>.<event>
//	dead-letter topic         <subscription>.dead-letter
//	GCP service account id    <env>-<module>            (6 to 30 characters)
//	GKE cluster, network      conveyor-<cluster>
//
// The grammar of the parts is what makes every name injective: spaces and modules are single
// words (letters and digits), so in "<env>-<space>" and "<env>-<module>" the last dash-separated
// word is always the space or module and the rest is the environment, and in
// "<module>-<component>" the first word is always the module. See parts.go. Reserved words
// keep our names apart from the names made by others and by the platform itself: no
// environment starts with "conveyor" (the cluster's own names do), "kube", "gke" or "gmp"
// (Kubernetes' and GKE's namespaces do), and no module is "default". A cut name ends in a
// hash that starts with a digit, which no module or space does, so a cut name is never
// another's uncut name. The property test checks every kind of name against every other
// within each place names must be unique (property_test.go).
package naming

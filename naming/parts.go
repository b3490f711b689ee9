package naming

import (
	"fmt"
	"regexp"
	"strings"
)

// Part is one of the inputs every name is derived from.
type Part string

// The parts of a name.
const (
	PartEnvironment Part = "environment"
	PartSpace       Part = "space"
	PartModule      Part = "module"
	PartComponent   Part = "component"
	PartEvent       Part = "event"
	PartCluster     Part = "cluster"
)

// Limits on the parts. They are chosen so that every derived name fits its target without
// being cut, for any environment: for example "<env>_<module>" is at most 20+1+20 = 41
// characters, well inside Postgres' 63, and a topic "<env>.<space>.<module>.<event>" is at
// most 103 characters of Pub/Sub's 255. The one exception is the GCP service account id,
// whose target of 30 characters is too small; it is cut and hashed by design.
const (
	MaxEnvironmentLen = 20
	MaxSpaceLen       = 20
	MaxModuleLen      = 20
	MaxComponentLen   = 20
	MaxEventLen       = 40
	MaxClusterLen     = 20
)

var (
	// word is a single lowercase word: spaces and modules, whose names must not contain the
	// '-' that joins them to the environment (see the package comment).
	word = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	// dashed is lowercase words joined by single dashes: environments, components, events.
	dashed = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
)

type partRule struct {
	max     int
	pattern *regexp.Regexp
	shape   string
	example string
}

var partRules = map[Part]partRule{
	PartEnvironment: {MaxEnvironmentLen, dashed, "lowercase words joined by single dashes, starting with a letter", "pr-123"},
	PartSpace:       {MaxSpaceLen, word, "one lowercase word of letters and digits, starting with a letter", "sales"},
	PartModule:      {MaxModuleLen, word, "one lowercase word of letters and digits, starting with a letter", "quotes"},
	PartComponent:   {MaxComponentLen, dashed, "lowercase words joined by single dashes, starting with a letter", "api"},
	PartEvent:       {MaxEventLen, dashed, "lowercase words joined by single dashes, starting with a letter", "quote-created"},
	PartCluster:     {MaxClusterLen, dashed, "lowercase words joined by single dashes, starting with a letter", "nonprod"},
}

// PartPattern returns the regular expression a part must match, anchored, and its maximum
// length: the manifest's JSON Schema states the rule ValidatePart applies. The expression is
// valid both in Go and in the ECMA-262 dialect JSON Schema uses.
func PartPattern(part Part) (pattern string, maxLen int) {
	rule, ok := partRules[part]
	if !ok {
		return "", 0
	}
	return rule.pattern.String(), rule.max
}

// ValidatePart reports why value cannot be used as the given part of a name, or nil.
func ValidatePart(part Part, value string) error {
	rule, ok := partRules[part]
	if !ok {
		return fmt.Errorf("unknown name part %q", part)
	}
	switch {
	case value == "":
		return fmt.Errorf("%s name is empty", part)
	case len(value) > rule.max:
		return fmt.Errorf("%s name %q is %d characters; at most %d keep every name derived from it within its target's limit",
			part, value, len(value), rule.max)
	case !rule.pattern.MatchString(value):
		return fmt.Errorf("%s name %q must be %s (for example %q)", part, value, rule.shape, rule.example)
	case part == PartEnvironment && strings.HasPrefix(value, "goog"):
		// Pub/Sub rejects resource names that start with "goog", and every topic name starts
		// with the environment.
		return fmt.Errorf("environment name %q must not start with \"goog\" (Pub/Sub reserves it)", value)
	}
	return reservedWord(part, value)
}

// Reserved words. Every name of an environment starts with the environment's first word, so
// an environment may not start with a word that names made by someone else start with:
// "conveyor" starts the platform's own names (the cluster's node service account
// conveyor-<cluster>-nodes lives in the project where every environment's module accounts
// are), "kube", "gke" and "gmp" start the namespaces Kubernetes and GKE create (kube-system,
// gke-managed-system, gmp-public), and the mesh and GKE's add-ons make istio-system,
// asm-system, config-management-system (Config Sync), cnrm-system (Config Connector) and
// gatekeeper-system (Policy Controller): an environment named so would share their
// namespaces. "bootstrap" is the stack of the tiers' walls, never an environment. A reserved word may span dashes ("config-management"). A module may not be
// "default", the name of the service account every namespace already has (a module's
// Kubernetes service account is its name).
var reservedWords = map[Part]map[string]string{
	PartEnvironment: {
		ReservedSpace:       "Conveyor's own names start with it",
		"kube":              "Kubernetes' own namespaces start with it",
		"gke":               "GKE's own namespaces start with it",
		"gmp":               "GKE's own namespaces start with it",
		"istio":             "the service mesh's namespaces start with it",
		"asm":               "the service mesh's namespaces start with it",
		"config-management": "Config Sync's namespaces start with it",
		"cnrm":              "Config Connector's namespaces start with it",
		"gatekeeper":        "Policy Controller's namespaces start with it",
		BootstrapStack:      "the bootstrap stack, which makes the tiers' identities, backends and keys, is called so",
	},
	PartModule: {
		"default": "every namespace already has the service account default",
	},
}

// reservedWord reports a value of part that starts with (environments) or is (modules) a
// reserved word.
func reservedWord(part Part, value string) error {
	words := reservedWords[part]
	switch part {
	case PartEnvironment:
		for word, why := range words {
			if value == word || strings.HasPrefix(value, word+"-") {
				return fmt.Errorf("environment name %q must not start with the word %q: %s", value, word, why)
			}
		}
	case PartModule:
		if why, ok := words[value]; ok {
			return fmt.Errorf("module name %q is reserved: %s", value, why)
		}
	}
	return nil
}

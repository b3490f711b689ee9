package bootstrap

import (
	"fmt"
	"strings"

	"github.com/conveyor-paas/conveyor/naming"
)

// GitHubIssuer is the issuer of GitHub Actions' OIDC tokens.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// MainRef is the only ref the long-lived and production tiers run from.
const MainRef = "refs/heads/main"

// attributeMapping maps a token's claims to the attributes the conditions and the service
// accounts' bindings read.
var attributeMapping = map[string]string{
	"google.subject":        "assertion.sub",
	"attribute.repository":  "assertion.repository",
	"attribute.ref":         "assertion.ref",
	"attribute.event_name":  "assertion.event_name",
	"attribute.environment": "assertion.environment",
}

// admits is what a tier's provider lets in: the events, whether only from main, and the
// GitHub environments. A pull request's job can name any environment in its own version of a
// workflow and runs on pull_request from refs/pull/<n>/merge; only the ad-hoc provider admits
// that. A branch pushed by anyone with push access is not main: only main's pushes and
// dispatches reach the long-lived tier, only main's dispatches and schedules production.
type admits struct {
	pullRequests bool
	mainEvents   []string
}

func tierAdmits(t naming.Tier) admits {
	switch t {
	case naming.TierProduction:
		return admits{mainEvents: []string{"workflow_dispatch", "schedule"}}
	case naming.TierLongLived:
		return admits{mainEvents: []string{"push", "workflow_dispatch", "schedule"}}
	}
	// The nightly collection of expired ad-hoc environments runs from main.
	return admits{pullRequests: true, mainEvents: []string{"schedule", "workflow_dispatch"}}
}

// AttributeCondition is the CEL condition of t's provider: the repository, the events (from
// main where it must) and t's GitHub environments, each pinned.
func AttributeCondition(repository string, t naming.Tier) string {
	a := tierAdmits(t)
	events := fmt.Sprintf("(assertion.ref == %s && assertion.event_name in %s)", quote(MainRef), list(a.mainEvents))
	if a.pullRequests {
		events = fmt.Sprintf("(assertion.event_name == %s || %s)", quote("pull_request"), events)
	}
	return strings.Join([]string{
		"assertion.repository == " + quote(repository),
		events,
		"assertion.environment in " + list(naming.GitHubEnvironments(t)),
	}, " && ")
}

func quote(s string) string { return "'" + s + "'" }

func list(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = quote(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

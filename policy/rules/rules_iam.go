package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The IAM rules follow the CIS GCP benchmark: no basic roles, no public principals, no long-lived keys.
func iamRules() []Rule {
	return []Rule{
		{
			ID: "CONV-IAM-001", Severity: SeverityCritical, MatchType: isIAMType,
			Description: "No basic roles (roles/owner, roles/editor, roles/viewer) are granted (CIS GCP).",
			Remediation: "Grant the predefined role of the service that is needed (for example roles/pubsub.subscriber, " +
				"roles/cloudsql.client) instead of a basic role.",
			Check: func(r Resource) []Finding {
				return forGrants(r, func(g grant) []Finding {
					return require(g.role, slices.Contains(basicRoles, g.role.str()), "grants the basic role %s", g.role.show())
				})
			},
		},
		{
			ID: "CONV-IAM-002", Severity: SeverityCritical, MatchType: isIAMType,
			Description: "Nothing is granted to allUsers or allAuthenticatedUsers (CIS GCP).",
			Remediation: "Grant the role to the service account or group that needs it, never to allUsers or allAuthenticatedUsers.",
			Check: func(r Resource) []Finding {
				return forGrants(r, func(g grant) []Finding {
					var out []Finding
					for _, m := range g.members {
						out = append(out, require(m, slices.Contains(publicMembers, m.str()),
							"grants %s to %s", g.role.show(), m.show())...)
					}
					return out
				})
			},
		},
		{
			ID: "CONV-IAM-003", Severity: SeverityHigh, Types: []string{TypeServiceAccountKey},
			Description: "No service account keys: workloads authenticate with Workload Identity (CIS GCP).",
			Remediation: "Delete the key; give the workload's Kubernetes service account the module's GCP service account " +
				"through Workload Identity (roles/iam.workloadIdentityUser).",
			Check: func(Resource) []Finding {
				return []Finding{violationf("creates a service account key: a long-lived credential that can leak")}
			},
		},
	}
}

var (
	basicRoles    = []string{"roles/owner", "roles/editor", "roles/viewer"}
	publicMembers = []string{"allUsers", "allAuthenticatedUsers"}
)

// isIAMType matches the IAM member, binding and policy resources of every GCP service, e.g.
// gcp:projects/iAMMember:IAMMember, gcp:pubsub/topicIAMBinding:TopicIAMBinding or
// gcp:secretmanager/secretIamMember:SecretIamMember (some services spell it Iam).
func isIAMType(typ string) bool {
	if !isGCP(typ) {
		return false
	}
	name := iamKind(typ)
	return strings.HasSuffix(name, "iammember") || strings.HasSuffix(name, "iambinding") || strings.HasSuffix(name, "iampolicy")
}

// iamKind is the lowercased name of a type token, whichever way its service spells IAM.
func iamKind(typ string) string { return strings.ToLower(typ[strings.LastIndex(typ, ":")+1:]) }

// grant is a role granted to members.
type grant struct {
	role    value
	members []value
}

// forGrants runs check on every grant of an IAM resource: a member's role and member, a
// binding's role and members, or each binding of a policy's policyData (a JSON document).
func forGrants(r Resource, check func(grant) []Finding) []Finding {
	in := inputs(r)
	var grants []grant
	switch name := iamKind(r.Type); {
	case strings.HasSuffix(name, "iammember"):
		grants = []grant{{in.key("role"), []value{in.key("member")}}}
	case strings.HasSuffix(name, "iambinding"):
		members := in.key("members")
		if members.unknown() {
			return []Finding{undecided(members)}
		}
		grants = []grant{{in.key("role"), members.items()}}
	default:
		data := in.key("policyData")
		if data.unknown() {
			return []Finding{undecided(data)}
		}
		var err error
		if grants, err = policyGrants(data); err != nil {
			return []Finding{violationf("policyData cannot be read: %v", err)}
		}
	}
	var out []Finding
	for _, g := range grants {
		out = append(out, check(g)...)
	}
	return out
}

// policyGrants reads the bindings of an IAM policy document.
func policyGrants(data value) ([]grant, error) {
	var policy struct {
		Bindings []struct {
			Role    string   `json:"role"`
			Members []string `json:"members"`
		} `json:"bindings"`
	}
	if err := json.Unmarshal([]byte(data.str()), &policy); err != nil {
		if data.secret {
			// A syntax error quotes the document; say nothing of a secret one.
			return nil, errors.New("it is not a JSON IAM policy")
		}
		return nil, fmt.Errorf("it is not a JSON IAM policy: %w", err)
	}
	// The document's values are plain strings now; they keep the document's secrecy.
	literal := func(s, path string) value {
		return value{path: path, v: resource.NewStringProperty(s), state: present, secret: data.secret}
	}
	var grants []grant
	for i, b := range policy.Bindings {
		g := grant{role: literal(b.Role, fmt.Sprintf("policyData.bindings[%d].role", i))}
		for j, m := range b.Members {
			g.members = append(g.members, literal(m, fmt.Sprintf("policyData.bindings[%d].members[%d]", i, j)))
		}
		grants = append(grants, g)
	}
	return grants, nil
}

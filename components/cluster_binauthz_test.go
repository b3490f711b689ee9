package components_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	distref "github.com/distribution/reference"
	"github.com/google/go-cmp/cmp"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/evaluation/evaluationtest"
	"github.com/conveyor-paas/conveyor/naming"
)

// TestBinaryAuthorization: both clusters require the attestation of main's pipeline, signed
// with the configured key; production blocks what lacks it, the other cluster only logs it.
func TestBinaryAuthorization(t *testing.T) {
	const pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtest\n-----END PUBLIC KEY-----\n"
	for _, tt := range []struct {
		name       string
		production bool
		key        string
		mode       string
	}{
		{"production", true, pem, components.BinAuthzEnforced},
		{"non-production", false, pem, components.BinAuthzDryRun},
		{"production without its key", true, "", components.BinAuthzEnforced},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := gkeClusterOf(t, func(a *components.GKEClusterArgs) { a.Production, a.AttestorPublicKey = tt.production, tt.key })
			cluster := must(t, rec, "gcp:container/cluster:Cluster", "conveyor-"+fixture(tt.production))
			if got := evaluationtest.String(cluster.Inputs, "binaryAuthorization.evaluationMode"); got != "PROJECT_SINGLETON_POLICY_ENFORCE" {
				t.Errorf("the cluster's binaryAuthorization.evaluationMode = %q", got)
			}
			policy := must(t, rec, "gcp:binaryauthorization/policy:Policy", "conveyor-"+fixture(tt.production)+"-binauthz")
			attestor := must(t, rec, "gcp:binaryauthorization/attestor:Attestor", "conveyor-"+fixture(tt.production)+"-"+naming.Attestor)
			note := must(t, rec, "gcp:containeranalysis/note:Note", "conveyor-"+fixture(tt.production)+"-"+naming.AttestorNote)
			for path, want := range map[string]string{
				"defaultAdmissionRule.evaluationMode":             "REQUIRE_ATTESTATION",
				"defaultAdmissionRule.enforcementMode":            tt.mode,
				"defaultAdmissionRule.requireAttestationsBies[0]": naming.Attestor,
				"globalPolicyEvaluationMode":                      "ENABLE",
				"project":                                         "acme-" + fixture(tt.production),
			} {
				if got := evaluationtest.String(policy.Inputs, path); got != want {
					t.Errorf("policy %s = %q, want %q", path, got, want)
				}
			}
			// The only images exempt from attestation are the platform's own, by digest: the
			// proxy sidecar every pod that connects to Cloud SQL runs, and the database jobs'.
			var exempt []string
			for i := 0; ; i++ {
				p, ok := evaluationtest.Lookup(policy.Inputs, fmt.Sprintf("admissionWhitelistPatterns[%d].namePattern", i))
				if !ok {
					break
				}
				exempt = append(exempt, p.StringValue())
			}
			want := []string{images.CloudSQLProxy, digestOnly(images.CloudSQLProxy), images.DatabaseClient, digestOnly(images.DatabaseClient)}
			slices.Sort(want)
			slices.Sort(exempt)
			if diff := cmp.Diff(want, exempt); diff != "" {
				t.Errorf("the images the policy exempts from attestation (-want +got):\n%s", diff)
			}
			for _, p := range exempt {
				if strings.Contains(p, "*") || !naming.Pinned(p) {
					t.Errorf("the policy exempts %q, which names more than one digest", p)
				}
			}
			if got := evaluationtest.String(attestor.Inputs, "attestationAuthorityNote.noteReference"); got != evaluationtest.String(note.Inputs, "name") || got == "" {
				t.Errorf("the attestor's note is %q, the note is %q", got, evaluationtest.String(note.Inputs, "name"))
			}
			reads := must(t, rec, "gcp:containeranalysis/noteIamMember:NoteIamMember", "conveyor-"+fixture(tt.production)+"-"+naming.Attestor+"-reads-attestations")
			if got := evaluationtest.String(reads.Inputs, "role"); got != "roles/containeranalysis.notes.occurrences.viewer" {
				t.Errorf("the attestor's service account is granted %q on the note", got)
			}
			key := evaluationtest.String(attestor.Inputs, "attestationAuthorityNote.publicKeys[0].pkixPublicKey.publicKeyPem")
			if key != tt.key {
				t.Errorf("the attestor trusts the key %q, want %q", key, tt.key)
			}
		})
	}
}

// digestOnly is an image reference by its registry's full name and digest, without the tag.
func digestOnly(image string) string {
	named, err := distref.ParseNormalizedNamed(image)
	if err != nil {
		panic(err)
	}
	return named.Name() + "@" + named.(distref.Digested).Digest().String()
}

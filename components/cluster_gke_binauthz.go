package components

import (
	"fmt"
	"slices"

	distref "github.com/distribution/reference"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/binaryauthorization"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/containeranalysis"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components/images"
	"github.com/conveyor-paas/conveyor/naming"
)

// Binary Authorization: a pod's image runs on the cluster only if main's pipeline attested
// its digest, by signing it with the key whose public half the attestor holds. The production
// cluster blocks anything else; the non-production cluster evaluates the same policy in
// dry-run, so a refusal shows in its audit log before production's.
const (
	// BinAuthzEnforced blocks an image without attestation, and logs it.
	BinAuthzEnforced = "ENFORCED_BLOCK_AND_AUDIT_LOG"
	// BinAuthzDryRun admits every image and logs the ones it would have blocked.
	BinAuthzDryRun = "DRYRUN_AUDIT_LOG_ONLY"
	// AttestorKeyAlgorithm is the signature algorithm of the pipeline's key: an EC P-256
	// Cloud KMS asymmetric signing key (or any PKIX key of that kind).
	AttestorKeyAlgorithm = "ECDSA_P256_SHA256"
)

// binaryAuthorization makes the attestor of main's pipeline (its Container Analysis note and
// key) and the project's policy: require that attestation of every image, enforced on the
// production cluster, dry-run elsewhere. Google's own system images are admitted by Google's
// global policy. The cluster then evaluates the project's policy (see cluster()).
func (g *gke) binaryAuthorization() error {
	note, err := containeranalysis.NewNote(g.ctx, naming.Cluster(g.args.Name)+"-"+naming.AttestorNote, &containeranalysis.NoteArgs{
		Project: pulumi.String(g.args.Project),
		Name:    pulumi.String(naming.AttestorNote),
		AttestationAuthority: &containeranalysis.NoteAttestationAuthorityArgs{
			Hint: &containeranalysis.NoteAttestationAuthorityHintArgs{HumanReadableName: pulumi.String("built by main's pipeline and run in staging")},
		},
	}, g.opts()...)
	if err != nil {
		return fmt.Errorf("binary authorization: attestation note: %w", err)
	}
	var keys binaryauthorization.AttestorAttestationAuthorityNotePublicKeyArray
	// Without the key the attestor trusts no signature: production then admits no image but
	// Google's system images, which is where a cluster without its key belongs.
	if pem := g.args.AttestorPublicKey; pem != "" {
		keys = append(keys, binaryauthorization.AttestorAttestationAuthorityNotePublicKeyArgs{
			PkixPublicKey: &binaryauthorization.AttestorAttestationAuthorityNotePublicKeyPkixPublicKeyArgs{
				PublicKeyPem:       pulumi.String(pem),
				SignatureAlgorithm: pulumi.String(AttestorKeyAlgorithm),
			},
		})
	}
	attestor, err := binaryauthorization.NewAttestor(g.ctx, naming.Cluster(g.args.Name)+"-"+naming.Attestor, &binaryauthorization.AttestorArgs{
		Project:     pulumi.String(g.args.Project),
		Name:        pulumi.String(naming.Attestor),
		Description: pulumi.String("main's pipeline: the image was built from main and ran in staging"),
		AttestationAuthorityNote: &binaryauthorization.AttestorAttestationAuthorityNoteArgs{
			NoteReference: note.Name,
			PublicKeys:    keys,
		},
	}, g.opts()...)
	if err != nil {
		return fmt.Errorf("binary authorization: attestor: %w", err)
	}
	// The attestor reads the attestations (the note's occurrences) as a service account Google
	// made for it, which needs the right to.
	_, err = containeranalysis.NewNoteIamMember(g.ctx, naming.Cluster(g.args.Name)+"-"+naming.Attestor+"-reads-attestations", &containeranalysis.NoteIamMemberArgs{
		Project: pulumi.String(g.args.Project),
		Note:    note.Name,
		Role:    pulumi.String("roles/containeranalysis.notes.occurrences.viewer"),
		Member:  pulumi.Sprintf("serviceAccount:%s", attestor.AttestationAuthorityNote.DelegationServiceAccountEmail().Elem()),
	}, g.opts()...)
	if err != nil {
		return fmt.Errorf("binary authorization: the attestor's reading of attestations: %w", err)
	}
	exempt, err := binAuthzExemptions(images.AdmittedInProduction())
	if err != nil {
		return fmt.Errorf("binary authorization: %w", err)
	}
	mode := BinAuthzDryRun
	if g.args.Production {
		mode = BinAuthzEnforced
	}
	_, err = binaryauthorization.NewPolicy(g.ctx, naming.Cluster(g.args.Name)+"-binauthz", &binaryauthorization.PolicyArgs{
		Project:                    pulumi.String(g.args.Project),
		Description:                pulumi.String("Conveyor: only images main's pipeline attested"),
		GlobalPolicyEvaluationMode: pulumi.String("ENABLE"),
		AdmissionWhitelistPatterns: exempt,
		DefaultAdmissionRule: &binaryauthorization.PolicyDefaultAdmissionRuleArgs{
			EvaluationMode:          pulumi.String("REQUIRE_ATTESTATION"),
			EnforcementMode:         pulumi.String(mode),
			RequireAttestationsBies: pulumi.StringArray{attestor.Name},
		},
	}, g.opts()...)
	if err != nil {
		return fmt.Errorf("binary authorization: policy: %w", err)
	}
	return nil
}

// binAuthzExemptions are the policy's patterns for the platform's own images, which no
// pipeline of this repository builds or attests: each by its digest, as a pod spells it and
// as the registry's full name without the tag, so that either way Binary Authorization
// matches it, the pattern admits those bytes only. An image without a digest is refused: its
// pattern would admit whatever its tag names next.
func binAuthzExemptions(refs []string) (binaryauthorization.PolicyAdmissionWhitelistPatternArray, error) {
	var patterns []string
	for _, ref := range refs {
		named, err := distref.ParseNormalizedNamed(ref)
		if err != nil {
			return nil, fmt.Errorf("the platform image %q: %w", ref, err)
		}
		digested, ok := named.(distref.Digested)
		if !ok {
			return nil, fmt.Errorf("the platform image %q is not pinned to a digest: exempting it from attestation would admit whatever its tag names next", ref)
		}
		patterns = append(patterns, ref, named.Name()+"@"+digested.Digest().String())
	}
	slices.Sort(patterns)
	var out binaryauthorization.PolicyAdmissionWhitelistPatternArray
	for _, p := range slices.Compact(patterns) {
		out = append(out, binaryauthorization.PolicyAdmissionWhitelistPatternArgs{NamePattern: pulumi.String(p)})
	}
	return out, nil
}

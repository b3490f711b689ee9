package bootstrap

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/kms"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/naming"
)

// Who holds what of the tiers' state and keys. Trust flows down only: each deploy account
// writes its own tier's state with its own key; production's accounts may also read the
// long-lived tier's (a promotion to prod reads staging); nothing below production holds
// anything of a tier above it, and the ad-hoc tier holds nothing but its own.
//
// One exception flows down on purpose: the ad-hoc tier's environments read their cluster's
// facts (naming.ClusterFactsStack) in their own backend, and only the long-lived tier, from
// main, writes them there. In the ad-hoc bucket the long-lived deployer may write the facts
// stacks' objects and the backend's metadata, and nothing else (factsCondition); the ad-hoc
// deployer may read them but write everything except them (notFacts). It encrypts the facts
// stack with the ad-hoc tier's key, which it may use.
//
// The planner reads production's state and decrypts its secrets (a plan needs both) and may
// write only the stack locks (.pulumi/locks/), which a preview takes; it holds no role that
// changes a resource (roles/viewer on production's project).
const (
	roleStateWriter = "roles/storage.objectAdmin"
	roleStateReader = "roles/storage.objectViewer"
	roleKeyUser     = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
	roleKeyReader   = "roles/cloudkms.cryptoKeyDecrypter"
)

// projectRoles are the roles each tier's deploy account holds on its project. The ad-hoc
// tier's shares the non-production project with the long-lived tier's resources, so it gets
// none there: what it holds is in adhoc.go.
var projectRoles = map[naming.Tier][]string{
	naming.TierProduction: {"roles/container.admin", "roles/cloudsql.admin", "roles/pubsub.admin", "roles/iam.serviceAccountAdmin",
		"roles/resourcemanager.projectIamAdmin", "roles/compute.networkAdmin", "roles/dns.admin"},
	naming.TierLongLived: {"roles/container.admin", "roles/cloudsql.admin", "roles/pubsub.admin", "roles/iam.serviceAccountAdmin",
		"roles/resourcemanager.projectIamAdmin", "roles/compute.networkAdmin", "roles/dns.admin"},
}

func grantAccess(ctx *pulumi.Context, cfg Config, tiers map[naming.Tier]*tier, planner *serviceaccount.Account) error {
	prod, longLived := tiers[naming.TierProduction], tiers[naming.TierLongLived]
	adhoc, clusters := tiers[naming.TierAdHoc], cfg.factsClusters()
	for _, t := range naming.Tiers() {
		p := tiers[t]
		if t == naming.TierAdHoc {
			if err := grantAdHocState(ctx, p, clusters); err != nil {
				return err
			}
		} else if err := grant(ctx, p, naming.TierDeployAccount(t), p.deployer, roleStateWriter, roleKeyUser); err != nil {
			return err
		}
		for _, role := range projectRoles[t] {
			if _, err := projects.NewIAMMember(ctx, fmt.Sprintf("%s-%s", naming.TierDeployAccount(t), role), &projects.IAMMemberArgs{
				Project: pulumi.String(p.project),
				Role:    pulumi.String(role),
				Member:  pulumi.Sprintf("serviceAccount:%s", p.deployer.Email),
			}); err != nil {
				return err
			}
		}
	}
	if err := grant(ctx, longLived, naming.TierDeployAccount(naming.TierProduction), prod.deployer, roleStateReader, roleKeyReader); err != nil {
		return err
	}
	if err := grantAdHocEnvironments(ctx, cfg, adhoc.deployer); err != nil {
		return err
	}
	if err := letClustersFindTheAdHocProject(ctx, cfg, longLived.deployer); err != nil {
		return err
	}
	if err := grantFactsPublisher(ctx, adhoc, longLived.deployer, clusters); err != nil {
		return err
	}
	for _, p := range []*tier{prod, longLived} {
		if err := grant(ctx, p, naming.ProdPlannerAccount, planner, roleStateReader, roleKeyReader); err != nil {
			return err
		}
	}
	locks := &storage.BucketIAMMemberConditionArgs{
		Title:      pulumi.String("stack locks only"),
		Expression: pulumi.Sprintf(`resource.name.startsWith("projects/_/buckets/%s/objects/.pulumi/locks/")`, prod.bucket.Name),
	}
	if _, err := storage.NewBucketIAMMember(ctx, naming.ProdPlannerAccount+"-locks", &storage.BucketIAMMemberArgs{
		Bucket: prod.bucket.Name, Role: pulumi.String(roleStateWriter), Member: pulumi.Sprintf("serviceAccount:%s", planner.Email), Condition: locks,
	}); err != nil {
		return err
	}
	_, err := projects.NewIAMMember(ctx, naming.ProdPlannerAccount+"-viewer", &projects.IAMMemberArgs{
		Project: pulumi.String(prod.project), Role: pulumi.String("roles/viewer"), Member: pulumi.Sprintf("serviceAccount:%s", planner.Email),
	})
	return err
}

// grant gives account (id) a role on p's state bucket and one on p's key.
func grant(ctx *pulumi.Context, p *tier, id string, account *serviceaccount.Account, bucketRole, keyRole string) error {
	name := fmt.Sprintf("%s-on-%s", id, naming.TierStateBucket(p.project, p.tier))
	member := pulumi.Sprintf("serviceAccount:%s", account.Email)
	if _, err := storage.NewBucketIAMMember(ctx, name, &storage.BucketIAMMemberArgs{
		Bucket: p.bucket.Name, Role: pulumi.String(bucketRole), Member: member,
	}); err != nil {
		return err
	}
	_, err := kms.NewCryptoKeyIAMMember(ctx, name+"-key", &kms.CryptoKeyIAMMemberArgs{
		CryptoKeyId: p.key.ID(), Role: pulumi.String(keyRole), Member: member,
	})
	return err
}

// grantAdHocState gives the ad-hoc deployer its own bucket but the facts: it reads every
// object and writes every one but the facts stacks' and the backend's metadata.
func grantAdHocState(ctx *pulumi.Context, p *tier, clusters []string) error {
	id := naming.TierDeployAccount(p.tier)
	name := fmt.Sprintf("%s-on-%s", id, naming.TierStateBucket(p.project, p.tier))
	member := pulumi.Sprintf("serviceAccount:%s", p.deployer.Email)
	bucket := naming.TierStateBucket(p.project, p.tier)
	if _, err := storage.NewBucketIAMMember(ctx, name+"-read", &storage.BucketIAMMemberArgs{
		Bucket: p.bucket.Name, Role: pulumi.String(roleStateReader), Member: member,
	}); err != nil {
		return err
	}
	if _, err := storage.NewBucketIAMMember(ctx, name, &storage.BucketIAMMemberArgs{
		Bucket: p.bucket.Name, Role: pulumi.String(roleStateWriter), Member: member,
		Condition: &storage.BucketIAMMemberConditionArgs{
			Title:      pulumi.String("all but the cluster facts"),
			Expression: pulumi.String(NotFactsCondition(bucket, clusters)),
		},
	}); err != nil {
		return err
	}
	_, err := kms.NewCryptoKeyIAMMember(ctx, name+"-key", &kms.CryptoKeyIAMMemberArgs{
		CryptoKeyId: p.key.ID(), Role: pulumi.String(roleKeyUser), Member: member,
	})
	return err
}

// grantFactsPublisher lets the long-lived deployer write the facts stacks into the ad-hoc
// tier's bucket (list it, write the facts' objects and the metadata), with the ad-hoc key.
func grantFactsPublisher(ctx *pulumi.Context, adhoc *tier, publisher *serviceaccount.Account, clusters []string) error {
	id := naming.TierDeployAccount(naming.TierLongLived)
	bucket := naming.TierStateBucket(adhoc.project, adhoc.tier)
	name := fmt.Sprintf("%s-facts-on-%s", id, bucket)
	member := pulumi.Sprintf("serviceAccount:%s", publisher.Email)
	if _, err := storage.NewBucketIAMMember(ctx, name, &storage.BucketIAMMemberArgs{
		Bucket: adhoc.bucket.Name, Role: pulumi.String(roleStateWriter), Member: member,
		Condition: &storage.BucketIAMMemberConditionArgs{
			Title:      pulumi.String("the cluster facts only"),
			Expression: pulumi.String(FactsPublisherCondition(bucket, clusters)),
		},
	}); err != nil {
		return err
	}
	_, err := kms.NewCryptoKeyIAMMember(ctx, name+"-key", &kms.CryptoKeyIAMMemberArgs{
		CryptoKeyId: adhoc.key.ID(), Role: pulumi.String(roleKeyUser), Member: member,
	})
	return err
}

// factsObjects is the CEL condition that holds for the objects of the facts stacks of
// clusters in bucket, and for the backend's metadata (naming.FactsStateObjects).
func factsObjects(bucket string, clusters []string) string {
	prefix := "projects/_/buckets/" + bucket + "/objects/"
	terms := []string{fmt.Sprintf("resource.name == %s", quote(prefix+naming.BackendMetadata))}
	for _, c := range clusters {
		for _, o := range naming.FactsStateObjects(naming.Project, c) {
			terms = append(terms, fmt.Sprintf("resource.name.startsWith(%s)", quote(prefix+o)))
		}
	}
	return strings.Join(terms, " || ")
}

// FactsPublisherCondition is where the long-lived deployer writes in the ad-hoc bucket: the
// facts and the metadata, and the bucket itself, which a listing is checked against (the
// DIY backend lists the locks).
func FactsPublisherCondition(bucket string, clusters []string) string {
	return fmt.Sprintf("resource.name == %s || %s", quote("projects/_/buckets/"+bucket), factsObjects(bucket, clusters))
}

// NotFactsCondition is where the ad-hoc deployer writes in its own bucket: everywhere but
// the facts and the metadata.
func NotFactsCondition(bucket string, clusters []string) string {
	return "!(" + factsObjects(bucket, clusters) + ")"
}

package naming

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Target is a kind of system a name must be valid for.
type Target string

// The targets names are checked against.
const (
	TargetKubernetesLabel Target = "kubernetes DNS-1123 label"
	TargetKubernetesSvc   Target = "kubernetes service name (DNS-1035 label)"
	TargetCronJob         Target = "kubernetes CronJob name"
	TargetLabelValue      Target = "kubernetes label value"
	TargetPostgres        Target = "postgres identifier"
	TargetPubSub          Target = "pub/sub name"
	TargetServiceAccount  Target = "gcp service account id"
	TargetGKE             Target = "gke cluster or node pool name"
	TargetCompute         Target = "gcp compute resource name"
	TargetSQLInstance     Target = "cloud sql instance name"
	TargetGCPLabelValue   Target = "gcp label value"
	TargetSecretManager   Target = "secret manager secret id"
)

var (
	postgresIdent    = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	pubsubName       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9\-_.~+%]*$`)
	serviceAccountID = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])$`)
	rfc1035          = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
	gcpLabelValue    = regexp.MustCompile(`^[a-z0-9_-]*$`)
	secretManagerID  = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// ValidateName reports every reason name is not valid for target, or nil. The Kubernetes
// rules are apimachinery's own, the others are the documented rules of each GCP service.
func ValidateName(target Target, name string) []string {
	switch target {
	case TargetKubernetesLabel:
		return validation.IsDNS1123Label(name)
	case TargetKubernetesSvc:
		return validation.IsDNS1035Label(name)
	case TargetCronJob:
		errs := validation.IsDNS1123Label(name)
		if len(name) > MaxCronJobName {
			errs = append(errs, validation.MaxLenError(MaxCronJobName))
		}
		return errs
	case TargetLabelValue:
		return validation.IsValidLabelValue(name)
	case TargetPostgres:
		return check(name, 1, MaxPostgresIdentifier, postgresIdent, "lowercase letters, digits and '_', not starting with a digit")
	case TargetPubSub:
		errs := check(name, 3, MaxPubSubName, pubsubName, "letters, digits and -_.~+%, starting with a letter")
		if strings.HasPrefix(strings.ToLower(name), "goog") {
			errs = append(errs, `must not start with "goog"`)
		}
		return errs
	case TargetServiceAccount:
		return check(name, MinServiceAccountID, MaxServiceAccountID, serviceAccountID, "lowercase letters, digits and '-', starting with a letter, not ending with '-'")
	case TargetGKE:
		return check(name, 1, MaxGKEName, rfc1035, "lowercase letters, digits and '-', starting with a letter, not ending with '-'")
	case TargetCompute:
		return check(name, 1, MaxComputeName, rfc1035, "lowercase letters, digits and '-', starting with a letter, not ending with '-'")
	case TargetSQLInstance:
		return check(name, 1, MaxSQLInstanceName, rfc1035, "lowercase letters, digits and '-', starting with a letter, not ending with '-'")
	case TargetGCPLabelValue:
		return check(name, 0, MaxGCPLabelValue, gcpLabelValue, "lowercase letters, digits, '-' and '_'")
	case TargetSecretManager:
		return check(name, 1, MaxSecretManagerID, secretManagerID, "letters, digits, '-' and '_'")
	}
	return []string{fmt.Sprintf("unknown target %q", target)}
}

func check(name string, minLen, maxLen int, pattern *regexp.Regexp, shape string) []string {
	var errs []string
	if len(name) < minLen {
		errs = append(errs, fmt.Sprintf("must be at least %d characters", minLen))
	}
	if len(name) > maxLen {
		errs = append(errs, validation.MaxLenError(maxLen))
	}
	if !pattern.MatchString(name) {
		errs = append(errs, "must consist of "+shape)
	}
	return errs
}

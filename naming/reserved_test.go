package naming

import (
	"regexp"
	"strings"
	"testing"
)

func TestReservedEnvPrefixes(t *testing.T) {
	if got := strings.Join(ReservedEnvPrefixes(), " "); got != "CONVEYOR_ DATABASE_ GOOGLE_ PUBSUB_" {
		t.Errorf("reserved prefixes = %s", got)
	}
	for name, want := range map[string]bool{
		EnvDatabaseURL: true, EnvProject: true, EnvPubSubEmulator: true, TopicEnvVar("x"): true,
		"GOOGLE_APPLICATION_CREDENTIALS": true, "LOG_LEVEL": false, "DATABASE": false, "PUBSUBX": false,
	} {
		if _, got := ReservedEnvPrefix(name); got != want {
			t.Errorf("ReservedEnvPrefix(%s) = %v, want %v", name, got, want)
		}
	}
}

// The pattern the JSON Schema gets is the one ValidatePart applies.
func TestPartPatternIsValidatePartsRule(t *testing.T) {
	for _, part := range []Part{PartEnvironment, PartSpace, PartModule, PartComponent, PartEvent, PartCluster} {
		pattern, maxLen := PartPattern(part)
		re := regexp.MustCompile(pattern)
		for _, v := range []string{"a", "sales", "quote-created", "a1", "1a", "A", "a--b", "a-", "a_b", strings.Repeat("a", maxLen), strings.Repeat("a", maxLen+1)} {
			schemaOK := re.MatchString(v) && len(v) <= maxLen
			if valid := ValidatePart(part, v) == nil; valid != schemaOK && (part != PartEnvironment || !strings.HasPrefix(v, "goog")) {
				t.Errorf("%s %q: ValidatePart says %v, the pattern and length say %v", part, v, valid, schemaOK)
			}
		}
	}
}

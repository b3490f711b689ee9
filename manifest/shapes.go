package manifest

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/distribution/reference"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/conveyor-paas/conveyor/naming"
)

// A shape is the form a string must have: regular expressions, a length limit and reserved
// values that the JSON Schema states as they are, and a validation that gives the loader's
// message and adds what no schema can say (a cron schedule's ranges, an image name's length).
// The loader rejects every string the schema's part of a shape rejects, and says why.
type shape struct {
	name string
	// patterns must all match (anchored, in the syntax Go and ECMA-262 share).
	patterns []string
	maxLen   int
	// reservedPrefixes and reservedValues are taken: a value must not start with or be one.
	reservedPrefixes []string
	reservedValues   []string
	// what a valid value is, for messages: `"x" is not <what>`.
	what string
	// validate, when set, explains a value the patterns reject and checks what they cannot.
	validate func(string) error
	// reserved explains a reserved value.
	reserved func(value, taken string) string

	compiled []*regexp.Regexp
}

// The shapes by name, as struct tags refer to them.
const (
	shapeModule    = "module"
	shapeSpace     = "space"
	shapeComponent = "component"
	shapeEvent     = "event"
	shapeEventRef  = "eventref"
	shapeEnvVar    = "envvar"
	shapeQuantity  = "quantity"
	shapeImage     = "image"
	shapeSchedule  = "schedule"
	shapePath      = "path"
	shapeNonBlank  = "nonblank"
	shapeGroup     = "group"
	shapeColumn    = "column"
)

// columnPattern is a column of a table, "<table>.<column>" or "<schema>.<table>.<column>", in
// lowercase SQL names that need no quoting: what a seed's masks name.
const columnPattern = `^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$`

// groupPattern is a Google group's address. A team's RoleBindings name it as a Group
// subject, so a Kubernetes system group (system:authenticated, system:serviceaccounts)
// would give the team's access to everyone in it.
const groupPattern = `^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$`

// quantityPattern is a Kubernetes quantity above zero, without a sign: digits with an
// optional fraction, at least one of them not 0, then a decimal or binary suffix or an
// exponent. A request or limit of 0 is never what a manifest means, and Kubernetes rejects
// negative ones only when it applies them.
const quantityPattern = `^(?:[0-9]*[1-9][0-9]*(?:\.[0-9]+)?|[0-9]*\.[0-9]*[1-9][0-9]*)(?:[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)?$`

// envVarPattern is a portable environment variable name: shells and most runtimes cannot
// read names with '-' or '.', though Kubernetes would accept them.
const envVarPattern = `^[A-Za-z_][A-Za-z0-9_]*$`

// schedulePattern is five cron fields or one of the macros Kubernetes knows (not @every).
const schedulePattern = `^\s*(?:@(?:yearly|annually|monthly|weekly|daily|midnight|hourly)|\S+(?:\s+\S+){4})\s*$`

var shapes = sync.OnceValue(func() map[string]*shape {
	part := func(name string, p naming.Part) *shape {
		pattern, maxLen := naming.PartPattern(p)
		return &shape{name: name, patterns: []string{pattern}, maxLen: maxLen,
			validate: func(v string) error { return naming.ValidatePart(p, v) }}
	}
	space := part(shapeSpace, naming.PartSpace)
	space.reservedValues = []string{naming.ReservedSpace}
	space.reserved = func(v, _ string) string {
		return fmt.Sprintf("%s is reserved for Conveyor's own services; choose another name", mention(v))
	}
	// The platform is module "conveyor" of the reserved space: its accounts, jobs and labels
	// take the name (naming.PlatformServiceAccountID), so no team's module may.
	module := part(shapeModule, naming.PartModule)
	module.reservedValues = []string{naming.ReservedSpace}
	module.reserved = func(v, _ string) string {
		return fmt.Sprintf("%s is reserved for Conveyor's own accounts (<environment>-conveyor); choose another name", mention(v))
	}
	all := []*shape{
		module,
		space,
		part(shapeComponent, naming.PartComponent),
		part(shapeEvent, naming.PartEvent),
		eventRefShape(),
		{
			name: shapeEnvVar, patterns: []string{envVarPattern},
			what:             "a valid environment variable name (letters, digits and _, not starting with a digit)",
			reservedPrefixes: naming.ReservedEnvPrefixes(),
			reserved: func(v, prefix string) string {
				return fmt.Sprintf("%s is set by Conveyor itself: names starting with %s are the platform's (%s); choose another name",
					mention(v), prefix, strings.Join(naming.ReservedEnvPrefixes(), ", "))
			},
		},
		{
			name: shapeQuantity, patterns: []string{quantityPattern},
			what: "a quantity above zero without a sign (e.g. 250m, 1, 512Mi)",
			validate: func(v string) error {
				if _, err := resource.ParseQuantity(v); err != nil {
					return fmt.Errorf("%s is not a valid quantity (e.g. 250m, 1, 512Mi): %v", mention(v), err)
				}
				return nil
			},
		},
		{
			name: shapeImage, patterns: []string{imagePattern()},
			what:     "an image reference with a tag or digest (e.g. ghcr.io/acme/quotes:1.4.2)",
			validate: CheckImage,
		},
		{
			name: shapeSchedule, patterns: []string{schedulePattern},
			what:     `a five-field cron schedule (e.g. "*/15 * * * *") or @hourly, @daily, @weekly, @monthly, @yearly`,
			validate: checkSchedule,
		},
		{
			name: shapeColumn, patterns: []string{columnPattern},
			what: "a column as <table>.<column> or <schema>.<table>.<column>, in lowercase SQL names (letters, digits and _)",
		},
		{name: shapePath, patterns: []string{`^/\S*$`}, what: "an HTTP path starting with '/'"},
		{name: shapeNonBlank, patterns: []string{`\S`}, what: "blank"},
		{
			name: shapeGroup, patterns: []string{groupPattern},
			what: "a Google group's address (team@your-domain)",
			validate: func(v string) error {
				if strings.HasPrefix(v, "system:") {
					return fmt.Errorf("%s is a Kubernetes system subject, not a team: its RoleBindings would give every member of it (system:authenticated is every signed-in account) the team's access", mention(v))
				}
				return nil
			},
		},
	}
	out := map[string]*shape{}
	for _, s := range all {
		for _, p := range s.patterns {
			s.compiled = append(s.compiled, regexp.MustCompile(p))
		}
		out[s.name] = s
	}
	return out
})

// eventRefShape is "<module>.<event>": each part by its own rule, which the schema states as
// the joined pattern and a length limit on each side of the dot (neither part has a dot).
func eventRefShape() *shape {
	module, moduleMax := naming.PartPattern(naming.PartModule)
	event, eventMax := naming.PartPattern(naming.PartEvent)
	inner := func(p string) string { return strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$") }
	return &shape{
		name: shapeEventRef,
		patterns: []string{
			"^" + inner(module) + `\.` + inner(event) + "$",
			fmt.Sprintf(`^[^.]{1,%d}\.`, moduleMax),
			fmt.Sprintf(`\.[^.]{1,%d}$`, eventMax),
		},
		validate: func(v string) error { _, err := ParseEventRef(v); return err },
	}
}

// imagePattern is a Docker image reference that has a tag, a digest or both, from the
// reference package's own expressions.
func imagePattern() string {
	// [[:xdigit:]] is Go's; JSON Schema's ECMA-262 expressions know only the explicit class.
	digest := strings.ReplaceAll(reference.DigestRegexp.String(), "[[:xdigit:]]", "[0-9A-Fa-f]")
	return "^" + reference.NameRegexp.String() + "(?::" + reference.TagRegexp.String() + "(?:@" + digest + ")?|@" + digest + ")$"
}

// check says what is wrong with v, or "".
func (s *shape) check(v string) string {
	explain := func() string {
		if s.validate != nil {
			if err := s.validate(v); err != nil {
				return clip(err.Error(), v)
			}
		}
		if s.name == shapeNonBlank {
			return "must not be blank"
		}
		return fmt.Sprintf("%s is not %s", mention(v), s.what)
	}
	for _, re := range s.compiled {
		if !re.MatchString(v) {
			return explain()
		}
	}
	if s.maxLen > 0 && len(v) > s.maxLen {
		return explain()
	}
	for _, taken := range s.reservedValues {
		if v == taken {
			return s.reserved(v, taken)
		}
	}
	for _, prefix := range s.reservedPrefixes {
		if strings.HasPrefix(v, prefix) {
			return s.reserved(v, prefix)
		}
	}
	if s.validate != nil {
		if err := s.validate(v); err != nil {
			return clip(err.Error(), v)
		}
	}
	return ""
}

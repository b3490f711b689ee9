package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Config overrides the enforcement level of rules.
type Config struct {
	// Levels maps a rule ID to its level; the key "all" sets every rule that has no level of
	// its own. Without either, a rule has DefaultLevel of the stack.
	Levels map[string]Level `json:"levels,omitempty"`
	// LevelsOf, when set, is the stack whose default levels apply instead of the evaluated
	// stack's: a pull request's ad-hoc stack is checked at the levels of dev, where it goes.
	LevelsOf string `json:"levelsOf,omitempty"`
}

// AllRules is the Config key that sets the level of every rule, as in Pulumi's policy config.
const AllRules = "all"

// The policies the Pulumi pack adds to the rules to report exemptions and undecided checks
// (both always advisory). They are named here because a config file may set them too.
const (
	NotesPolicy      = "conveyor-notes"
	StackNotesPolicy = "conveyor-stack-notes"
)

// LevelOf is the level of a rule in a stack: its own level in the config, else the config's
// "all", else the rule's default level in the stack (Rule.DefaultLevelIn; LevelsOf's stack
// when set). Pulumi resolves a pack's config the same way.
func (c Config) LevelOf(ruleID, stack string) Level {
	rule, ok := Lookup(ruleID)
	if !ok {
		rule = Rule{ID: ruleID}
	}
	return c.levelOf(rule, stack)
}

func (c Config) levelOf(rule Rule, stack string) Level {
	if l, ok := c.Levels[rule.ID]; ok {
		return l
	}
	if l, ok := c.Levels[AllRules]; ok {
		return l
	}
	if c.LevelsOf != "" {
		stack = c.LevelsOf
	}
	return rule.DefaultLevelIn(stack)
}

// ParseConfig reads a config in the format of Pulumi's --policy-pack-config file, so that one
// file configures both the pack and the evaluator:
//
//	{"all": "mandatory", "CONV-K8S-009": "advisory", "CONV-GKE-004": {"enforcementLevel": "disabled"}}
func ParseConfig(data []byte) (Config, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Config{}, fmt.Errorf("reading the policy config: %w", err)
	}
	known := map[string]bool{AllRules: true, NotesPolicy: true, StackNotesPolicy: true, "environments": true}
	for _, r := range Rules() {
		known[r.ID] = true
	}
	cfg := Config{Levels: map[string]Level{}}
	for _, key := range sortedKeys(raw) {
		if !known[key] {
			return Config{}, fmt.Errorf("policy config: %q is not a rule of the pack", key)
		}
		if key == "environments" || key == NotesPolicy || key == StackNotesPolicy {
			// ESC environments, and the pack's own notes, are Pulumi's business only.
			continue
		}
		level, err := parseLevel(raw[key])
		if err != nil {
			return Config{}, fmt.Errorf("policy config for %s: %w", key, err)
		}
		if level != "" {
			cfg.Levels[key] = level
		}
	}
	return cfg, nil
}

// parseLevel reads a level given as a string or as {"enforcementLevel": "..."}.
func parseLevel(raw json.RawMessage) (Level, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var obj struct {
			EnforcementLevel string `json:"enforcementLevel"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			return "", fmt.Errorf("want a level or an object with enforcementLevel: %w", err)
		}
		s = obj.EnforcementLevel
	}
	level := Level(s)
	if s != "" && !slices.Contains([]Level{Advisory, Mandatory, Disabled}, level) {
		return "", fmt.Errorf("%q is not a level (want %s)", s, strings.Join([]string{string(Advisory), string(Mandatory), string(Disabled)}, ", "))
	}
	return level, nil
}

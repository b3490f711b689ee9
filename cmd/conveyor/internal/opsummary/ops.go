package opsummary

import "strings"

// Operations as the summary names them. The engine's step kinds fold into these: the three
// steps of a replacement are one replace, a read-discard is a discard.
const (
	OpCreate  = "create"
	OpUpdate  = "update"
	OpReplace = "replace"
	OpDelete  = "delete"
	OpImport  = "import"
	OpRead    = "read"
	OpDiscard = "discard"
	OpRefresh = "refresh"
	OpSame    = "same"
)

// opOrder is the order columns and totals are shown in, most consequential changes last so
// that a reader's eye ends on them.
var opOrder = []string{OpCreate, OpUpdate, OpReplace, OpDelete, OpImport, OpRead, OpDiscard, OpRefresh}

// rank decides which op describes a resource that went through several steps.
var rank = map[string]int{OpSame: 0, OpRefresh: 1, OpRead: 2, OpDiscard: 3, OpImport: 4, OpUpdate: 5, OpCreate: 6, OpDelete: 7, OpReplace: 8}

// normalizeOp maps an engine step op to a summary op.
func normalizeOp(op string) string {
	switch op {
	case "create-replacement", "delete-replaced", "replace", "discard-replaced", "import-replacement", "read-replacement":
		return OpReplace
	case "read-discard", "discard":
		return OpDiscard
	case "remove-pending-replace":
		return OpDelete
	case "":
		return OpSame
	}
	return op
}

// isReplacementPart reports the steps of a replacement other than the replace step itself:
// the engine's summary counts a replacement once, under replace.
func isReplacementPart(op string) bool {
	return op != "replace" && normalizeOp(op) == OpReplace
}

// verbs says each op in the words of a preview (future) and of a finished operation (past).
var verbs = map[string][2]string{
	OpCreate:  {"to create", "created"},
	OpUpdate:  {"to update", "updated"},
	OpReplace: {"to replace", "replaced"},
	OpDelete:  {"to delete", "deleted"},
	OpImport:  {"to import", "imported"},
	OpRead:    {"to read", "read"},
	OpDiscard: {"to discard", "discarded"},
	OpRefresh: {"to refresh", "refreshed"},
	OpSame:    {"unchanged", "unchanged"},
}

// verb returns how op is said in a summary line.
func verb(op string, dryRun bool) string {
	v, ok := verbs[op]
	if !ok {
		return op
	}
	if dryRun {
		return v[0]
	}
	return v[1]
}

// progressive returns op as an -ing verb for the progress line of a running step.
func progressive(op string) string {
	switch op {
	case OpSame:
		return "checking"
	case OpCreate, OpUpdate, OpReplace, OpDelete, OpImport, OpDiscard:
		return strings.TrimSuffix(op, "e") + "ing"
	}
	return op + "ing"
}

// symbols mark a resource's op in listings, as Pulumi's own display does.
var symbols = map[string]string{
	OpCreate: "+", OpUpdate: "~", OpReplace: "+-", OpDelete: "-", OpImport: "=", OpRead: ">", OpDiscard: "<", OpRefresh: "~", OpSame: " ",
}

func symbol(op string) string {
	if s, ok := symbols[op]; ok {
		return s
	}
	return "?"
}

package dbsetup

import (
	"strings"
	"testing"
)

// Masks is what the seeding job splits on spaces, dots and newlines: it must refuse anything
// that would split differently, and write the same masks as the same text.
func TestMasks(t *testing.T) {
	for _, tt := range []struct {
		name  string
		masks []Mask
		want  string // "" with err
		err   string
	}{
		{"public is added and lines are sorted", []Mask{{MaskNullify, "customers.phone"}, {MaskEmail, "sales.customers.email"}},
			"email sales.customers.email\nnullify public.customers.phone", ""},
		{"none", nil, "", ""},
		{"an unknown mask", []Mask{{"shuffle", "t.c"}}, "", "none of nullify, hash, email"},
		{"a column without a table", []Mask{{MaskHash, "email"}}, "", "[<schema>.]<table>.<column>"},
		{"a quoted name", []Mask{{MaskHash, `t."Email"`}}, "", "lowercase"},
		{"a space would split the line", []Mask{{MaskHash, "t.c d"}}, "", "lowercase"},
		{"a newline would start another mask", []Mask{{MaskHash, "t.c\nnullify t.d"}}, "", "lowercase"},
		{"four parts", []Mask{{MaskHash, "a.b.c.d"}}, "", "[<schema>.]<table>.<column>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Masks(tt.masks)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("Masks(%v) = %q, %v; want an error mentioning %q", tt.masks, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Masks(%v) = %q, %v; want %q", tt.masks, got, err, tt.want)
			}
		})
	}
}

package randomdouble

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

const urn = "urn:pulumi:local::conveyor::" + PasswordType + "::pw"

func props(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(m, marshal)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		inputs resource.PropertyMap
		fails  string // the failing property, "" for none
	}{
		{"length and special", resource.PropertyMap{"length": resource.NewNumberProperty(32), "special": resource.NewBoolProperty(false)}, ""},
		{"length only", resource.PropertyMap{"length": resource.NewNumberProperty(8)}, ""},
		{"no length", resource.PropertyMap{"special": resource.NewBoolProperty(true)}, "length"},
		{"a fractional length", resource.PropertyMap{"length": resource.NewNumberProperty(2.5)}, "length"},
		{"a zero length", resource.PropertyMap{"length": resource.NewNumberProperty(0)}, "length"},
		{"an input the double does not implement", resource.PropertyMap{"length": resource.NewNumberProperty(8), "minUpper": resource.NewNumberProperty(2)}, "minUpper"},
		{"special not a boolean", resource.PropertyMap{"length": resource.NewNumberProperty(8), "special": resource.NewStringProperty("yes")}, "special"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := New().Check(context.Background(), &pulumirpc.CheckRequest{Urn: urn, Type: PasswordType, News: props(t, tt.inputs)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range resp.GetFailures() {
				got = append(got, f.GetProperty())
			}
			if tt.fails == "" && len(got) > 0 || tt.fails != "" && (len(got) != 1 || got[0] != tt.fails) {
				t.Errorf("failures on %v, want on %q: %v", got, tt.fails, resp.GetFailures())
			}
		})
	}
	if _, err := New().Check(context.Background(), &pulumirpc.CheckRequest{Urn: urn, Type: "random:index/randomString:RandomString"}); err == nil {
		t.Error("another resource type of the random provider is accepted")
	}
}

func TestCreateMakesASecretOfTheLengthAndCharacters(t *testing.T) {
	for _, special := range []bool{false, true} {
		seenSpecial := false
		for range 20 {
			resp, err := New().Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Type: PasswordType,
				Properties: props(t, resource.PropertyMap{"length": resource.NewNumberProperty(40), "special": resource.NewBoolProperty(special)})})
			if err != nil {
				t.Fatal(err)
			}
			outs, err := plugin.UnmarshalProperties(resp.GetProperties(), marshal)
			if err != nil {
				t.Fatal(err)
			}
			res := outs["result"]
			if !res.IsSecret() {
				t.Fatalf("result is not a secret: %v", res)
			}
			pw := res.SecretValue().Element.StringValue()
			if len(pw) != 40 {
				t.Fatalf("a password of %d characters, want 40", len(pw))
			}
			for _, c := range pw {
				if strings.ContainsRune(specials, c) {
					seenSpecial = true
				} else if !strings.ContainsRune(alphanumeric, c) {
					t.Fatalf("character %q in %q", c, pw)
				}
			}
			if resp.GetId() != "none" || outs["length"].NumberValue() != 40 {
				t.Errorf("id %q, outputs %v", resp.GetId(), outs)
			}
		}
		if seenSpecial != special {
			t.Errorf("special=%v: symbols seen in 20 passwords of 40: %v", special, seenSpecial)
		}
	}
}

func TestDiffReplacesOnAnyChange(t *testing.T) {
	old := resource.PropertyMap{"length": resource.NewNumberProperty(32), "special": resource.NewBoolProperty(false)}
	tests := []struct {
		name     string
		news     resource.PropertyMap
		replaces []string
	}{
		{"the same", old, nil},
		{"longer", resource.PropertyMap{"length": resource.NewNumberProperty(33), "special": resource.NewBoolProperty(false)}, []string{"length"}},
		{"special", resource.PropertyMap{"length": resource.NewNumberProperty(32), "special": resource.NewBoolProperty(true)}, []string{"special"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := New().Diff(context.Background(), &pulumirpc.DiffRequest{Urn: urn, Type: PasswordType, OldInputs: props(t, old), News: props(t, tt.news)})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(resp.GetReplaces(), ",") != strings.Join(tt.replaces, ",") {
				t.Errorf("replaces %v, want %v", resp.GetReplaces(), tt.replaces)
			}
			if (resp.GetChanges() == pulumirpc.DiffResponse_DIFF_NONE) != (len(tt.replaces) == 0) {
				t.Errorf("changes %v with replaces %v", resp.GetChanges(), resp.GetReplaces())
			}
		})
	}
}

package naming

import (
	"strings"
	"testing"
)

func TestSecretNames(t *testing.T) {
	long := strings.Repeat("K", 300)
	tests := []struct {
		name, got, want string
	}{
		{"an environment's secret", SecretManagerSecret("pr-123", "quotes", "STRIPE_API_KEY"), "pr-123-quotes-STRIPE_API_KEY"},
		{"the ad-hoc tier's default", AdHocDefaultSecret("quotes", "STRIPE_API_KEY"), "conveyor-adhoc-quotes-STRIPE_API_KEY"},
		{"a module's values on a local cluster", AppSecret("quotes"), "quotes-secrets"},
		{"a component's provider class", SecretProviderClass("quotes", "api"), "quotes-api"},
		{"a long name, cut and hashed", SecretManagerSecret("dev", "quotes", long)[:246], "dev-quotes-" + long[:235]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	if id := SecretManagerSecret("dev", "quotes", long); len(id) != MaxSecretManagerID || ValidateName(TargetSecretManager, id) != nil {
		t.Errorf("a cut id %q (%d characters) is not a valid Secret Manager id", id, len(id))
	}
}

// A Secret's owner is read back from the names AppSecret and DatabaseSecret make, and from
// nothing else.
func TestModuleSecretOwner(t *testing.T) {
	for _, tt := range []struct {
		secret, module string
		ok             bool
	}{
		{AppSecret("quotes"), "quotes", true},
		{DatabaseSecret("quotes"), "quotes", true},
		{AppSecret(strings.Repeat("q", MaxModuleLen)), strings.Repeat("q", MaxModuleLen), true},
		{"quotes-tls", "", false},
		{"my-app-secrets", "", false}, // "my-app" is no module name
		{"-secrets", "", false},
		{LocalPostgresAdminSecret(), "", false},
	} {
		module, ok := ModuleSecretOwner(tt.secret)
		if module != tt.module || ok != tt.ok {
			t.Errorf("ModuleSecretOwner(%q) = %q, %v; want %q, %v", tt.secret, module, ok, tt.module, tt.ok)
		}
	}
}

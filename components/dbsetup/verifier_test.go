package dbsetup

import (
	"regexp"
	"strings"
	"testing"
)

// The verifier's shape is PostgreSQL's; that the server accepts it and lets the role log in
// with the password is proven on a real server by tests/database.
func TestVerifier(t *testing.T) {
	shape := regexp.MustCompile(`^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$`)
	a, err := Verifier("dev_quotes", "password-one")
	if err != nil {
		t.Fatal(err)
	}
	if !shape.MatchString(a) {
		t.Errorf("verifier %q is not of PostgreSQL's form", a)
	}
	if strings.Contains(a, "password-one") {
		t.Errorf("the verifier contains the password")
	}
	for _, tt := range []struct {
		role, password string
		same           bool
	}{
		{"dev_quotes", "password-one", true},
		{"dev_quotes", "password-two", false},
		{"pr_1_quotes", "password-one", false},
	} {
		b, err := Verifier(tt.role, tt.password)
		if err != nil {
			t.Fatal(err)
		}
		if (a == b) != tt.same {
			t.Errorf("Verifier(%s, %s) == Verifier(dev_quotes, password-one): %v, want %v", tt.role, tt.password, a == b, tt.same)
		}
		// Different credentials never share a salt.
		if salt := strings.Split(b, "$")[1]; !tt.same && salt == strings.Split(a, "$")[1] {
			t.Errorf("Verifier(%s, %s) reuses the salt", tt.role, tt.password)
		}
	}
}

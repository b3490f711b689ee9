package components_test

import (
	"os"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components"
)

// The Istio release a local cluster installs is the one whose CRDs the API-server tier
// installs (tools/istio pins istio.io/api): the spaces' objects are tested against the APIs
// they will meet.
func TestIstioVersionIsTheTestedAPI(t *testing.T) {
	data, err := os.ReadFile("../tools/istio/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := "require istio.io/api v" + components.DefaultIstioVersion
	if !strings.Contains(string(data), want+"\n") {
		t.Errorf("tools/istio/go.mod does not say %q: keep DefaultIstioVersion and the module in step", want)
	}
}

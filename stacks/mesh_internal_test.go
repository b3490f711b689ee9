package stacks

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/manifest"
)

// TestUnmeshedWarnings: the warning a local cluster without a mesh gives for each space that
// asks for one names the space file and line, the setting to change and where, and what
// turning it on costs; a cluster whose mesh someone configured (off included) warns of nothing,
// since CheckMesh refuses what does not fit it.
func TestUnmeshedWarnings(t *testing.T) {
	cat, err := manifest.Load(filepath.Join("..", "stacks", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Stack: "local", IstioVersion: components.DefaultIstioVersion}
	tests := []struct {
		name string
		mesh *components.Mesh
		want []string // the parts of the one warning, or none
	}{
		{"unset", &components.Mesh{Mode: components.MeshOff, Unconfigured: true}, []string{
			filepath.Join("claims", "space.conveyor.yaml") + ":", "space claims asks for the service mesh",
			"conveyor:mesh: opt-in in " + filepath.Join("stacks", "Pulumi.local.yaml"), "Istio " + components.DefaultIstioVersion,
		}},
		{"set to off", &components.Mesh{Mode: components.MeshOff}, nil},
		{"set to opt-in", &components.Mesh{Mode: components.MeshOptIn}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := unmeshedWarnings(cfg, cat, tt.mesh)
			if tt.want == nil {
				if len(got) != 0 {
					t.Errorf("warnings %q, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("warnings %q, want one, for claims", got)
			}
			for _, part := range tt.want {
				if !strings.Contains(got[0], part) {
					t.Errorf("warning %q does not say %q", got[0], part)
				}
			}
		})
	}
}

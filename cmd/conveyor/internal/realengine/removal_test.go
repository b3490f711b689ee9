package realengine

import (
	"os"
	"path/filepath"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/conveyor-paas/conveyor/naming"
)

// TestRemovedModuleIsDeletedByUp: a module that was deployed by image and then removed from
// the catalog is gone after the next `up`, and the gate before a deploy of another module
// does not trip on the removed module's recorded image. The deployed images are kept in the
// stack (stacks/deployed); when the gate folded them into the configuration, the removed
// module's image made every later deploy and promote of the environment fail in the gate,
// while the pull request's check, which has no deployed images, stayed green.
func TestRemovedModuleIsDeletedByUp(t *testing.T) {
	f := setup(t)
	const env = "local-carol"
	c, catalog := twoModulesDeployed(t, f, env)
	claimsAPI := func() error {
		_, err := f.kube.Client.AppsV1().Deployments(naming.Namespace(env, "claims")).Get(t.Context(), naming.Workload("claims", "api"), metav1.GetOptions{})
		return err
	}
	if err := claimsAPI(); err != nil {
		t.Fatalf("after its deploy, claims's api: %v", err)
	}

	if err := os.Remove(filepath.Join(catalog, "claims.conveyor.yaml")); err != nil {
		t.Fatal(err)
	}
	t.Run("a deploy of another module passes the gate", func(t *testing.T) {
		c.mustConveyor(t, "deploy", "--env", env, "--module", "quotes", "--image", "ghcr.io/acme/quotes:1.0.1")
	})
	t.Run("up deletes the removed module", func(t *testing.T) {
		c.mustConveyor(t, "up", "--env", env)
		if err := claimsAPI(); !apierrors.IsNotFound(err) {
			t.Errorf("after an up without claims, its api: %v, want not found", err)
		}
	})
	c.mustConveyor(t, "destroy", "--env", env, "--confirm", env)
}

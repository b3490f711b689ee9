package manifest

import (
	"slices"

	"github.com/distribution/reference"
)

// ReleaseJobs are the jobs that belong to component's release: the module's other components
// of kind job whose manifest image is of the same repository as component's
// (ghcr.io/acme/quotes:1.0.0 and ghcr.io/acme/quotes:1.1.0 alike), sorted. They are its
// migrations, typically, run from the release's own image with another argument
// (`args: [migrate]`): a new image of component ships new code, which expects the schema its
// migrations make, so a deploy of it runs them with the new image too. A job of another
// image (a tool's, a separate migrations image) is not the release's and is left alone.
func (m *Module) ReleaseJobs(component string) []string {
	c := m.Components[component]
	if c == nil {
		return nil
	}
	repo := repository(c.Image)
	if repo == "" {
		return nil
	}
	var jobs []string
	for _, name := range m.ComponentNames() {
		if j := m.Components[name]; name != component && j.Kind == KindJob && repository(j.Image) == repo {
			jobs = append(jobs, name)
		}
	}
	return slices.Clip(jobs)
}

// repository is an image's repository, without tag or digest (docker.io/library/busybox for
// busybox:1.37.0); "" for an image that is no valid reference.
func repository(image string) string {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return ""
	}
	return named.Name()
}

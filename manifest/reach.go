package manifest

import "slices"

// SpacesReachedFrom returns, in order, the spaces whose allowFrom names space: those its
// workloads may connect to. It is allowFrom read the other way, so that one fact decides
// both ends of a connection.
func (c *Catalog) SpacesReachedFrom(space string) []string {
	var out []string
	for _, s := range c.Spaces {
		if s.Name != space && slices.Contains(s.AllowFrom, space) {
			out = append(out, s.Name)
		}
	}
	return out
}

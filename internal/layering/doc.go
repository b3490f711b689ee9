// Package layering holds no code: its test pins the direction of the module's import graph,
// the layers docs/ARCHITECTURE.md draws, so that an import that runs back up fails CI
// instead of waiting for a reader to notice.
package layering

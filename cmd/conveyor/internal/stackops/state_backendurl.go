package stackops

import (
	"net/url"
	"strings"
)

// crashSafeBackend returns the backend URL the Pulumi CLI is given. For a file backend it
// turns off the blob library's metadata sidecars (metadata=skip): gocloud's fileblob writes a
// checkpoint atomically (a temporary file renamed), but its sidecar <stack>.json.attrs with
// os.Create and then an encode, so a CLI killed between the two leaves an empty sidecar, and
// every later command fails with "failed to load checkpoint: EOF". Pulumi reads nothing from
// the sidecars. A URL that sets metadata itself is left as it is, as is any other backend.
func crashSafeBackend(backend string) string {
	if !strings.HasPrefix(backend, "file://") {
		return backend
	}
	_, query, hasQuery := strings.Cut(backend, "?")
	if values, err := url.ParseQuery(query); err != nil || values.Has("metadata") {
		return backend
	}
	if hasQuery && query != "" {
		return backend + "&metadata=skip"
	}
	return strings.TrimSuffix(backend, "?") + "?metadata=skip"
}

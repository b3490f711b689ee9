package manifest

import "testing"

// A YAML mistake is reported at the line and column of the character that is wrong, the way
// an editor shows it: columns count characters, not bytes, from 1.
func TestSyntaxErrorsPointAtTheOffendingCharacter(t *testing.T) {
	const m = "m.conveyor.yaml"
	head := "module: quotes\nspace: sales\n"
	api := "components:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n"
	tests := []struct {
		name string
		text string
		want want
	}{
		{"a tab indents a key", head + "components:\n\tapi:\n    image: ghcr.io/acme/quotes:1.0.0\n",
			want{m + ":4:1", "", "tab"}},
		{"a tab inside the indentation", head + "components:\n  api:\n  \t image: ghcr.io/acme/quotes:1.0.0\n",
			want{m + ":5:3", "", "tab"}},
		{"a key indented less than the keys beside it", head + api + "   port: 8080\n",
			want{m + ":6:4", "", "invalid YAML"}},
		{"a key indented more than the keys beside it", "module: quotes\n  space: sales\n" + api,
			want{m + ":2:3", "", "indent"}},
		{"an unclosed bracket", head + "publishes: [quote-accepted\n" + api,
			want{m + ":3:12", "", "']'"}},
		{"an unclosed bracket at the end of the file", head + "components: [\n",
			want{m + ":3:13", "", "']'"}},
		{"an unclosed brace", head + "components:\n  api: {image: ghcr.io/acme/quotes:1.0.0\n",
			want{m + ":4:8", "", "'}'"}},
		{"an unclosed quote", head + "components:\n  api:\n    image: \"ghcr.io/acme/quotes:1.0.0\n",
			want{m + ":5:12", "", "quote"}},
		{"an undefined alias", head + "components:\n  api:\n    image: *img\n",
			want{m + ":5:12", "components.api.image", "*img"}},
		{"invalid UTF-8 after a multi-byte character", head + "components:\n  api:\n    image: ghcr.io/acme/quötes\xff:1\n",
			want{m + ":5:31", "", "UTF-8"}},
		{"a stray closing bracket", head + "publishes: [quote-accepted]]\n" + api,
			want{m + ":3:28", "", "invalid YAML"}},
		{"a second colon in a plain value", "module: quotes\nspace: sales: extra\n" + api,
			want{m + ":2:13", "", "invalid YAML"}},
		{"a tab in a file with CRLF line ends", "module: quotes\r\nspace: sales\r\ncomponents:\r\n\tapi:\r\n",
			want{m + ":4:1", "", "tab"}},
		{"invalid UTF-8 in a file with CRLF line ends", "module: quotes\r\nspace: sales\r\ncomponents:\r\n  api:\r\n    image: \xff\r\n",
			want{m + ":5:12", "", "UTF-8"}},
		{"invalid UTF-8 after a lone CR, which YAML counts as a line end", "module: quotes\rspace: \xff\n",
			want{m + ":2:8", "", "UTF-8"}},
		{"an empty file", "",
			want{m + ":1:1", "", "is empty"}},
		{"a file of comments", "# quotes, soon\n",
			want{m + ":1:1", "", "is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := parseCase(map[string]string{m: tt.text})
			assertErrors(t, cat, err, []want{tt.want})
		})
	}
}

// A byte-order mark is allowed at the start of a YAML file; editors on Windows write one.
func TestByteOrderMarkIsAccepted(t *testing.T) {
	text := "\ufeffmodule: quotes\nspace: sales\ncomponents:\n  api:\n    image: ghcr.io/acme/quotes:1.0.0\n"
	cat, err := parseCase(map[string]string{"m.conveyor.yaml": text})
	if err != nil {
		t.Fatalf("a manifest with a byte-order mark is refused:\n%v", err)
	}
	if cat.Module("quotes") == nil {
		t.Errorf("module quotes not loaded")
	}
}

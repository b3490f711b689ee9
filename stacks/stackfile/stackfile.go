// Package stackfile is the one reader of a stack's configuration file (stacks/Pulumi.<stack>.yaml)
// and the one rule of where it is. The offline evaluation (stacks.Evaluate), the program's
// messages and the conveyor command (stackops, cli) all find and read stack files through it,
// so that what a pull request's check reads is the file the command runs with.
package stackfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/naming"
)

// Dir is the folder of the stack files, relative to the project's root. Pulumi.yaml's
// stackConfigDir names the same folder, so that the Pulumi CLI reads and writes the files
// Conveyor does: stacks' TestPulumiYamlAgreesWithTheProgram keeps the two in agreement, and
// the Runner refuses a project whose stackConfigDir says otherwise (CheckProjectDir).
const Dir = "stacks"

// Name is stack's file relative to the project's root, as messages name it for a person to
// edit: stacks/Pulumi.dev.yaml.
func Name(stack string) string { return filepath.Join(Dir, "Pulumi."+stack+".yaml") }

// Path is stack's file in the project whose folder is root.
func Path(root, stack string) string { return filepath.Join(root, Name(stack)) }

// Stack is the stack whose file path is ("" and false for any other file): the inverse of
// Path, for listings of the folder.
func Stack(path string) (string, bool) {
	stack, ok := strings.CutPrefix(strings.TrimSuffix(filepath.Base(path), ".yaml"), "Pulumi.")
	return stack, ok && strings.HasSuffix(path, ".yaml")
}

// CheckProjectDir refuses a project whose Pulumi.yaml keeps stack files (stackConfigDir)
// elsewhere than Dir: the Pulumi CLI would write where Conveyor does not read.
func CheckProjectDir(stackConfigDir string) error {
	if filepath.Clean(stackConfigDir) != Dir {
		return fmt.Errorf("the stackConfigDir of Pulumi.yaml is %q: Conveyor keeps stack files in %s/", stackConfigDir, Dir)
	}
	return nil
}

// ReadDoc reads stack's file in root as a YAML document, whole: its config and what a secrets
// manager writes beside it (encryptionsalt, ...). A stack without a file (an ad-hoc one) has
// an empty one.
func ReadDoc(root, stack string) (map[string]any, error) {
	doc := map[string]any{}
	file := Path(root, stack)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return doc, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the stack file of %s: %w", stack, err)
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc == nil {
		doc = map[string]any{}
	}
	return doc, nil
}

// ReadConfig reads stack's configuration from its file in root as the engine hands it to a
// program: full keys ("conveyor:catalog"), objects and lists as JSON. A stack without a file
// has none; an encrypted value is refused, which an offline reader cannot decrypt.
func ReadConfig(root, stack string) (map[string]string, error) {
	doc, err := ReadDoc(root, stack)
	if err != nil {
		return nil, err
	}
	file := Path(root, stack)
	cfg, _ := doc["config"].(map[string]any)
	out := map[string]string{}
	for key, value := range cfg {
		if !strings.Contains(key, ":") {
			key = naming.Project + ":" + key
		}
		if secure(value) {
			return nil, fmt.Errorf("%s: %s is encrypted; an offline evaluation cannot read secrets", file, key)
		}
		text, err := engineValue(value)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, key, err)
		}
		out[key] = text
	}
	return out, nil
}

// secure says whether value is an encrypted one ({secure: <ciphertext>}).
func secure(value any) bool {
	v, ok := value.(map[string]any)
	_, encrypted := v["secure"]
	return ok && encrypted && len(v) == 1
}

// engineValue is a config value as the engine hands it to a program.
func engineValue(value any) (string, error) {
	switch v := value.(type) {
	case string:
		return v, nil
	case map[string]any, []any:
		text, err := json.Marshal(v)
		return string(text), err
	default:
		return fmt.Sprint(v), nil
	}
}

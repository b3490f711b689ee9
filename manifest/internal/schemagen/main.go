// Command schemagen writes the manifest's JSON Schemas into a folder (go generate runs it).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/conveyor-paas/conveyor/manifest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: schemagen <output folder>")
		os.Exit(2)
	}
	schemas, err := manifest.JSONSchemas()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, data := range schemas {
		if err := os.WriteFile(filepath.Join(os.Args[1], name), data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/components/naming"
	"github.com/conveyor-paas/conveyor/components/offline"
)

// Project is the Pulumi project's name (Pulumi.yaml).
const Project = "conveyor"

// EvaluateOptions choose the stack to evaluate offline.
type EvaluateOptions struct {
	// Root is the project's folder, where Pulumi.yaml and stacks/ are.
	Root  string
	Stack string
	// Config overrides or adds configuration ("conveyor:catalog": "...").
	Config map[string]string
	// Program replaces Program; tests wrap it to break what it creates on purpose.
	Program pulumi.RunFunc
}

// Evaluate runs Program for a stack under mocks, with the stack's configuration file (if it
// has one) and simulated outputs for the cluster stack it references. It needs no cloud,
// no credentials and no provider plugin: it is how a pull request is checked.
func Evaluate(opts EvaluateOptions) (*offline.Recording, error) {
	config, err := ReadStackConfig(opts.Root, opts.Stack)
	if err != nil {
		return nil, err
	}
	for k, v := range opts.Config {
		config[k] = v
	}
	program := opts.Program
	if program == nil {
		program = Program
	}
	return offline.Run(program, offline.Options{
		Project:       Project,
		Stack:         opts.Stack,
		Config:        config,
		RootDirectory: opts.Root,
		StackOutputs:  func(ref string) resource.PropertyMap { return SimulatedClusterOutputs(opts.Root, ref) },
	})
}

// StackConfigFile is where a stack's configuration lives.
func StackConfigFile(root, stack string) string {
	return filepath.Join(root, "stacks", "Pulumi."+stack+".yaml")
}

// ReadStackConfig reads a stack's configuration file as the engine hands it to a program:
// full keys, objects and lists as JSON. A stack without a file (an ad-hoc one) has none.
func ReadStackConfig(root, stack string) (map[string]string, error) {
	out := map[string]string{}
	file := StackConfigFile(root, stack)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading stack configuration: %w", err)
	}
	var doc struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for key, value := range doc.Config {
		if !strings.Contains(key, ":") {
			key = Project + ":" + key
		}
		switch v := value.(type) {
		case string:
			out[key] = v
		case map[string]any:
			if _, secure := v["secure"]; secure && len(v) == 1 {
				return nil, fmt.Errorf("%s: %s is encrypted; an offline evaluation cannot read secrets", file, key)
			}
			text, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", file, key, err)
			}
			out[key] = string(text)
		case []any:
			text, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", file, key, err)
			}
			out[key] = string(text)
		default:
			out[key] = fmt.Sprint(v)
		}
	}
	return out, nil
}

// SimulatedClusterOutputs stand in for a cluster stack's outputs when an environment is
// evaluated offline: the project and region come from the cluster stack's configuration
// file, what the cloud would compute is simulated.
func SimulatedClusterOutputs(root, ref string) resource.PropertyMap {
	stack := ref[strings.LastIndexByte(ref, '/')+1:]
	name := strings.TrimPrefix(stack, naming.ClusterStackPrefix)
	config, _ := ReadStackConfig(root, stack)
	project := or(config[Namespace+":gcpProject"], "simulated-"+name)
	return resource.PropertyMap{
		OutputKubeconfig:        resource.MakeSecret(resource.NewProperty("simulated kubeconfig of " + naming.Cluster(name))),
		OutputProject:           resource.NewProperty(project),
		OutputProjectNumber:     resource.NewProperty(offline.SimulatedProjectNumber),
		OutputRegion:            resource.NewProperty(or(config[Namespace+":gcpRegion"], DefaultRegion)),
		OutputSQLInstance:       resource.NewProperty(naming.SQLInstance(name)),
		OutputSQLConnectionName: resource.NewProperty(project + ":" + DefaultRegion + ":" + naming.SQLInstance(name)),
		OutputSQLPrivateAddress: resource.NewProperty(offline.SimulatedSQLAddress),
		OutputClusterName:       resource.NewProperty(naming.Cluster(name)),
		OutputMesh:              resource.NewProperty(or(config[Namespace+":mesh"], string(components.DefaultMeshMode))),
	}
}

// ShippedStacks lists the stacks that have a configuration file in the repository.
func ShippedStacks(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, "stacks", "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var stacks []string
	for _, f := range files {
		stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	return stacks, nil
}

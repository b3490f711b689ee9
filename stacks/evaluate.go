package stacks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/evaluation"
	"github.com/conveyor-paas/conveyor/internal/tracked"
	"github.com/conveyor-paas/conveyor/naming"
	"github.com/conveyor-paas/conveyor/stacks/deployed"
	"github.com/conveyor-paas/conveyor/stacks/stackfile"
)

// EvaluateOptions choose the stack to evaluate offline.
type EvaluateOptions struct {
	// Root is the project's folder, where Pulumi.yaml and stacks/ are.
	Root  string
	Stack string
	// Config overrides or adds configuration ("conveyor:catalog": "...").
	Config map[string]string
	// StackConfig, when not nil, is the stack's configuration as the engine will hand it to
	// the program, used instead of the stack's file: the policy gate checks exactly what the
	// engine is about to run. SecretKeys lists its keys that are secrets.
	StackConfig map[string]string
	SecretKeys  []string
	// Deployed are the images the stack's last checkpoint recorded (its deployed.Output),
	// which the program reads through its StackReference to itself: the evaluation answers
	// that reference with them, so the program resolves images by its own rule
	// (deployed.Layers), exactly as the update will.
	Deployed deployed.Images
	// Program replaces Program; tests wrap it to break what it creates on purpose.
	Program pulumi.RunFunc
	// Shipped, when not nil, are the only stacks whose configuration files are read; any
	// other stack is evaluated as if it had no file, like a new ad-hoc environment. Tests
	// pass ShippedStacks, so that the files the conveyor command writes for a developer's own
	// environments never change what they check.
	Shipped []string
	// Cluster, when not nil, is the evaluation of the cluster stack the environment runs on,
	// which the caller made already (EstimateCost prices its node pools): the environment's
	// reads of its cluster's objects are answered from it rather than from a second one.
	Cluster *evaluation.Recording
}

// Evaluate runs Program for a stack under mocks, with the stack's configuration file (if it
// has one) and simulated outputs for the cluster stack it references. It needs no cloud,
// no credentials and no provider plugin: it is how a pull request is checked.
func Evaluate(opts EvaluateOptions) (*evaluation.Recording, error) {
	readConfig := func(stack string) (map[string]string, error) {
		if opts.Shipped != nil && !slices.Contains(opts.Shipped, stack) {
			return map[string]string{}, nil
		}
		return ReadStackConfig(opts.Root, stack)
	}
	config := maps.Clone(opts.StackConfig)
	if config == nil {
		var err error
		if config, err = readConfig(opts.Stack); err != nil {
			return nil, err
		}
	}
	for k, v := range opts.Config {
		config[k] = v
	}
	program := opts.Program
	if program == nil {
		program = Program
	}
	return evaluation.Run(program, evaluation.Options{
		Project:       naming.Project,
		Stack:         opts.Stack,
		Config:        config,
		SecretKeys:    opts.SecretKeys,
		RootDirectory: opts.Root,
		StackOutputs: func(ref string) resource.PropertyMap {
			stack := clusterOfReference(ref)
			if stack == opts.Stack {
				return deployedOutputs(opts.Deployed)
			}
			if cluster, ok := naming.ClusterOfFactsStack(stack); ok {
				config, _ := readConfig(cluster)
				return components.SimulateClusterFacts(simulatedCluster(cluster, config))
			}
			config, _ := readConfig(stack)
			return components.SimulateClusterOutputs(simulatedCluster(stack, config))
		},
		Read: clusterReads(opts, or(config[naming.ConfigCluster], naming.DefaultCluster(opts.Stack)), readConfig),
	})
}

// deployedOutputs are the outputs of a stack's last checkpoint as the program's reference to
// itself reads them: only the deployed images.
func deployedOutputs(im deployed.Images) resource.PropertyMap {
	if len(im) == 0 {
		return resource.PropertyMap{}
	}
	return resource.NewPropertyMapFromMap(map[string]any{deployed.Output: im.Value()})
}

// StackConfigFile is where a stack's configuration lives (stackfile.Path).
func StackConfigFile(root, stack string) string { return stackfile.Path(root, stack) }

// ReadStackConfig reads a stack's configuration file as the engine hands it to a program
// (stackfile.ReadConfig). A stack without a file (an ad-hoc one) has none.
func ReadStackConfig(root, stack string) (map[string]string, error) {
	return stackfile.ReadConfig(root, stack)
}

// clusterOfReference is the stack a StackReference ("org/project/stack") names.
func clusterOfReference(ref string) string { return ref[strings.LastIndexByte(ref, '/')+1:] }

// simulatedCluster stands in for a cluster stack (its outputs, or its facts) when an
// environment is evaluated offline: the project, region and mesh come from the cluster
// stack's configuration, what the cloud would compute is simulated.
func simulatedCluster(stack string, config map[string]string) components.SimulatedCluster {
	name := strings.TrimPrefix(stack, naming.ClusterStackPrefix)
	return components.SimulatedCluster{
		Name:              name,
		Project:           or(config[naming.ConfigGCPProject], "simulated-"+name),
		Region:            or(config[naming.ConfigGCPRegion], DefaultRegion),
		Mesh:              components.MeshMode(or(config[naming.ConfigMesh], string(components.DefaultMeshMode))),
		AllowedRegistries: simulatedRegistries(config[naming.ConfigAllowedRegistries]),
		ProjectNumber:     evaluation.SimulatedProjectNumber,
		SQLPrivateAddr:    evaluation.SimulatedSQLAddress,
		SQLStagingAddr:    stagingAddress(name),
		// A cluster stack without a security group of its own is simulated without a
		// domain, which checks no team: the real cluster stack refuses to exist without one.
		OrganizationDomain: components.OrganizationDomain(config[naming.ConfigSecurityGroup]),
		AdHocProject:       config[naming.ConfigAdHocEnvironmentsProject],
	}
}

// ShippedStacks lists the environment and cluster stacks whose configuration file the
// repository tracks. The conveyor
// command writes stack files of its own beside them for a developer's environments
// (local-alice, pr-123), which git ignores: they are no part of the repository, so they are
// not listed.
func ShippedStacks(root string) ([]string, error) {
	files, err := tracked.Files(context.Background(), root, path.Join(stackfile.Dir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("listing the shipped stacks: %w", err)
	}
	var stacks []string
	for _, f := range files {
		stack, ok := stackfile.Stack(f)
		// The bootstrap stack is the tiers' walls, not an environment or a cluster: its own
		// tests evaluate it (stacks/bootstrap).
		if ok && path.Dir(f) == stackfile.Dir && stack != naming.BootstrapStack {
			stacks = append(stacks, stack)
		}
	}
	slices.Sort(stacks)
	return stacks, nil
}

// simulatedRegistries reads a cluster stack's conveyor:allowedRegistries (JSON, as the stack
// file's reader gives lists), or the default.
func simulatedRegistries(text string) []string {
	var registries []string
	if text == "" || json.Unmarshal([]byte(text), &registries) != nil {
		return DefaultAllowedRegistries()
	}
	return registries
}

// stagingAddress is the simulated address of staging's own instance, which only the
// non-production cluster has.
func stagingAddress(cluster string) string {
	if naming.ProductionTier(naming.ClusterStackPrefix + cluster) {
		return ""
	}
	return evaluation.SimulatedStagingSQLAddress
}

// clusterReads answers an environment's reads of its cluster's objects (the Secret with its
// database admin's password) with what the cluster stack's own evaluation creates: what the
// cluster stack writes is what the environment reads, as on a real cluster. The cluster stack
// is evaluated once, on the first read, unless opts.Cluster holds its evaluation already.
func clusterReads(opts EvaluateOptions, cluster string, readConfig func(string) (map[string]string, error)) func(typ, id string) (resource.PropertyMap, error) {
	var once sync.Once
	var rec *evaluation.Recording
	var recErr error
	return func(typ, id string) (resource.PropertyMap, error) {
		if typ != "kubernetes:core/v1:Secret" {
			return nil, fmt.Errorf("offline evaluation answers reads of Secrets only")
		}
		once.Do(func() {
			if opts.Cluster != nil {
				rec = opts.Cluster
				return
			}
			// A cluster stack without a file of its own gets the project its simulated outputs
			// name (simulatedCluster), as the environment saw it; one whose file an
			// offline evaluation cannot read (it holds encrypted values) is simulated as one
			// without a file, as its outputs are (StackOutputs above): the environment reads
			// only what its program creates.
			config, err := readConfig(cluster)
			if err != nil {
				config = map[string]string{}
			}
			project := naming.ConfigGCPProject
			group := naming.ConfigSecurityGroup
			overrides := map[string]string{
				project: or(config[project], "simulated-"+strings.TrimPrefix(cluster, naming.ClusterStackPrefix)),
				group:   or(config[group], evaluation.SimulatedSecurityGroup),
			}
			rec, recErr = Evaluate(EvaluateOptions{Root: opts.Root, Stack: cluster, Shipped: opts.Shipped, StackConfig: config, Config: overrides})
		})
		if recErr != nil {
			return nil, recErr
		}
		namespace, name, _ := strings.Cut(id, "/")
		for _, r := range rec.Resources {
			meta := r.Inputs["metadata"]
			if r.Type != typ || !meta.IsObject() || str(meta.ObjectValue()["namespace"]) != namespace || str(meta.ObjectValue()["name"]) != name {
				continue
			}
			return secretState(r.Inputs), nil
		}
		return nil, fmt.Errorf("cluster stack %s creates no Secret %s", cluster, id)
	}
}

// secretState is a Secret as the API server returns it: stringData folded into data, base64.
func secretState(inputs resource.PropertyMap) resource.PropertyMap {
	data := resource.PropertyMap{}
	if sd, ok := inputs["stringData"]; ok {
		secret := sd.ContainsSecrets()
		for k, v := range plain(sd).ObjectValue() {
			enc := resource.NewProperty(base64.StdEncoding.EncodeToString([]byte(str(v))))
			if secret || v.IsSecret() {
				enc = resource.MakeSecret(enc)
			}
			data[k] = enc
		}
	}
	state := inputs.Copy()
	delete(state, "stringData")
	state["data"] = resource.NewObjectProperty(data)
	return state
}

// plain is v without its secret wrapper.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

func str(v resource.PropertyValue) string {
	if v = plain(v); v.IsString() {
		return v.StringValue()
	}
	return ""
}

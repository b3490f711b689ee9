package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/conveyor-paas/conveyor/components"
	"github.com/conveyor-paas/conveyor/stacks/appsecrets"
)

// secretsOf reads the values of the environment's application secrets from the operation's
// config (package appsecrets) and returns each module's. The values stay one Pulumi secret
// from the config to the module's Secret: nothing here reads them but through an Apply.
func secretsOf(ctx *pulumi.Context, stack string) (func(module string) components.ModuleSecrets, error) {
	// Without the key (an offline evaluation, or `pulumi up` run by hand, which cannot read
	// the values the command keeps), the module's Secret is declared without values.
	values, err := config.TrySecret(ctx, appsecrets.ValuesKey)
	if err != nil && !isMissing(err) {
		return nil, err
	}
	defaults := appsecrets.Defaults{}
	if err := config.TryObject(ctx, appsecrets.DefaultsKey, &defaults); err != nil && !isMissing(err) {
		return nil, err
	}
	return func(module string) components.ModuleSecrets {
		if values.OutputState == nil {
			return components.ModuleSecrets{FromAdHocDefaults: defaults[module]}
		}
		return components.ModuleSecrets{
			Values: values.ApplyT(func(text string) (string, error) {
				v, err := appsecrets.Decode(text)
				if err != nil {
					return "", err
				}
				return v.Module(module), nil
			}).(pulumi.StringOutput),
			FromAdHocDefaults: defaults[module],
			Missing:           func(m, name string) string { return appsecrets.SetCommand(stack, m, name) },
		}
	}, nil
}

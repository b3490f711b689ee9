// Package rules is Conveyor's policy: the rules every resource of a stack must follow, the
// engine that evaluates them and the writers of its report.
//
// The rules work on what the Pulumi engine shows a policy pack: a resource's type token and
// its inputs as a resource.PropertyMap, camelCase as in the providers' schemas. They never
// import a provider SDK, so the same rules serve the Pulumi policy pack (policy/main.go), a
// CLI, and tests that feed them fixtures.
//
// Names are checked by calling naming, the package the components use to make
// them, so a convention and its enforcement cannot drift apart.
//
// Three kinds of result come out of an evaluation:
//
//   - a violation, at the rule's level: mandatory (blocks the deployment) or advisory;
//   - an exemption in force ("exempted: <reason>"), always advisory, so that an exemption is
//     visible every time the rule runs rather than silencing it;
//   - a rule that cannot decide ("cannot decide: spec.x is not known until the update runs"),
//     always advisory: during a preview some inputs are computed by other resources, and an
//     unknown value must never fail the analysis.
//
// No message ever prints the value of a secret.
package rules

package evaluation

// Redacted stands in for every secret value wherever Conveyor shows one: a rendering, a
// policy finding, an operation's config. It is what the Pulumi CLI prints for a secret.
const Redacted = "[secret]"

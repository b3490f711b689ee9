package stackops

// SecretsTags exposes secretsTags: the stack-file keys of a secrets manager and their tags.
var SecretsTags = secretsTags

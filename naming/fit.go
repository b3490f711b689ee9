package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// hashLen is the number of hex digits of the SHA-256 of the full name that a cut name keeps.
// 8 digits (32 bits) make an accidental collision between two cut names with the same
// prefix vanishingly unlikely while leaving most of a short target for readable text.
const hashLen = 8

// Fit returns name unchanged when it is at most limit bytes long. Otherwise it keeps the longest
// prefix that fits together with sep and a hash of the full name (see digestOf), trimming
// separators from the end of the prefix so the result never ends in a dangling '-', '_' or
// '.'.
//
// The result depends only on its arguments, so a cut name is as stable as an uncut one, and
// two different long names get different hashes.
func Fit(name string, limit int, sep byte) string {
	if len(name) <= limit {
		return name
	}
	digest := digestOf(name)
	keep := limit - hashLen - 1
	if keep < 1 {
		// A target too small for any prefix still gets a deterministic name.
		return digest[:min(limit, hashLen)]
	}
	prefix := strings.TrimRight(name[:keep], "-_.")
	return prefix + string(sep) + digest
}

// digestOf is the hash a cut name ends with: the first hashLen hex digits of the SHA-256 of
// the full name, the first of them made a decimal digit (a to f become 0 to 5). A cut name
// thus ends in a word that starts with a digit, which no module or space name does, so a cut
// name is never the uncut name of other parts: "<env>-<module>" cut to "<prefix>-<hash>"
// cannot also be the id of a module named like the hash in an environment named like the
// prefix.
func digestOf(name string) string {
	sum := sha256.Sum256([]byte(name))
	digest := []byte(hex.EncodeToString(sum[:])[:hashLen])
	if c := digest[0]; c >= 'a' {
		digest[0] = '0' + (c - 'a')
	}
	return string(digest)
}

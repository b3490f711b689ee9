package dbsetup

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// scramIterations is PostgreSQL's default (scram_iterations).
const scramIterations = 4096

// scramSaltLength is PostgreSQL's salt length, in bytes.
const scramSaltLength = 16

// Verifier is what PostgreSQL stores for a role whose password is password, in the form
// ALTER ROLE ... PASSWORD accepts instead of the password itself (RFC 5802, RFC 7677):
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>".
//
// The setup job sets the verifier rather than the password, so that the password never
// reaches the server's statement log, nor the admin's job, which is not the module's.
//
// The salt is derived from the role and the password rather than drawn at random, so that
// the same password always gives the same verifier: a second setup then changes nothing, and
// the job that sets it is not replaced on every run. A salt only needs to be unique to its
// credential, and this one is: the password is random and per module.
func Verifier(role, password string) (string, error) {
	mac := hmac.New(sha256.New, []byte(password))
	mac.Write([]byte("conveyor scram salt\x00" + role))
	salt := mac.Sum(nil)[:scramSaltLength]
	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, sha256.Size)
	if err != nil {
		return "", fmt.Errorf("deriving the SCRAM key of %s: %w", role, err)
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := hmacSHA256(salted, "Server Key")
	enc := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", scramIterations, enc(salt), enc(storedKey[:]), enc(serverKey)), nil
}

func hmacSHA256(key []byte, msg string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}

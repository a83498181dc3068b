package apigw

import (
	"crypto/rand"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// NewID returns a random identifier shaped like AWS's: 10 lowercase
// alphanumerics. Collisions are checked by the caller inside its
// transaction, so a plain random draw is enough.
func NewID() string { return randomString(10) }

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

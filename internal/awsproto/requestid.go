package awsproto

import (
	"crypto/rand"
	"fmt"
)

// NewRequestID returns a random version-4 UUID, the shape of the
// x-amzn-RequestId AWS's control planes answer with (and of Cloud
// Control's RequestToken). The data plane makes its own, cheaper ids
// (internal/gateway); this one is for management calls, where a
// crypto/rand read per request costs nothing that matters.
func NewRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

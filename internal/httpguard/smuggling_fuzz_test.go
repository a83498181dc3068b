package httpguard

import (
	"bytes"
	"testing"
)

// FuzzSmugglingStream: the stream follower must not panic on any bytes,
// must not depend on how the bytes are split across reads, and must
// hand the bytes on unchanged (but for what is still pending) unless a
// head carries both Content-Length and Transfer-Encoding.
func FuzzSmugglingStream(f *testing.F) {
	for _, s := range []string{
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;e\r\nabc\r\n0\r\nT: 1\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\nx",
		"\r\nGET / HTTP/1.1\nHost: h\n\n",
		"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nanything",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		whole := runStream(data, len(data)+1)
		split := runStream(data, int(step%16)+1)
		if !bytes.Equal(whole, split) {
			t.Fatalf("output depends on read sizes:\n%q\n%q", whole, split)
		}
		if !bytes.Contains(whole, []byte(refusedLength)) && !bytes.Equal(whole, data[:len(whole)]) {
			t.Fatalf("bytes changed without a refusal:\n%q\n%q", data, whole)
		}
	})
}

// runStream feeds data in pieces of step bytes and returns what the
// reader would get.
func runStream(data []byte, step int) []byte {
	c := &smugglingConn{}
	var out []byte
	for i := 0; i < len(data); i += step {
		c.feed(data[i:min(i+step, len(data))])
		out = append(out, c.out...)
		c.out = c.out[:0]
	}
	return out
}

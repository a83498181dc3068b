package respcache

import (
	"bytes"
	"net/http"
)

// MaxEntryBytes is the largest response body API Gateway caches (1048576
// bytes); larger responses are served but never stored. For encrypted
// entries the limit applies to the sealed form, which is a little larger,
// as AWS warns ("cache data encryption may increase the size of the
// response when it is being cached").
const MaxEntryBytes = 1 << 20

// Entry is one cached method response: status, headers and body.
//
// Entries returned by Memory.Get are shared between requests and must be
// treated as read-only. Set copies what it is given.
type Entry struct {
	Status int
	Header http.Header
	Body   []byte
	// Wire, when set, is Header already encoded as HTTP/1 header lines,
	// for writing a hit without a header map; the cache only carries it
	// (and counts it). Sealed entries do not keep it.
	Wire []byte
}

// entryOverhead approximates the bookkeeping an entry costs beyond its
// bytes: list node, map slot, Entry and header map structures.
const entryOverhead = 256

// size is what the entry counts against the cache capacity.
func (e *Entry) size() int64 {
	n := int64(len(e.Body)) + int64(len(e.Wire)) + entryOverhead
	for k, vs := range e.Header {
		n += int64(len(k)) + 48
		for _, v := range vs {
			n += int64(len(v)) + 16
		}
	}
	return n
}

// clone copies e into exactly sized memory: the cache must not share a
// body the caller may reuse (a pooled buffer), and must not keep a
// buffer's spare capacity, which its size accounting would not see.
func (e *Entry) clone() *Entry {
	return &Entry{Status: e.Status, Header: e.Header.Clone(), Body: bytes.Clone(e.Body), Wire: bytes.Clone(e.Wire)}
}

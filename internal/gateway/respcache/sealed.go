package respcache

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net/http"
	"time"
)

// Sealed is a view of a Cache whose entries are encrypted at rest: the
// method setting cacheDataEncrypted. Each entry (status, headers and body)
// is sealed with AES-256-GCM under a key drawn at random when the Sealed is
// created and held only in memory, so a stage's encrypted entries die with
// its cache; the cache key is the additional authenticated data, so a
// sealed entry cannot be replayed under another key.
//
// Encryption is per method while the cache is per stage, so a stage keeps
// one Memory and one Sealed over it, and each method uses whichever its
// settings ask for. The two views share capacity, LRU order and Flush, but
// not keys: Sealed stores under a prefixed key, so toggling
// cacheDataEncrypted never serves plaintext from a sealed entry or the
// reverse.
type Sealed struct {
	inner Cache
	aead  cipher.AEAD
}

// sealedPrefix starts every key Sealed stores. KeyBuilder keys start with
// keyVersion, so the two never collide.
const sealedPrefix = "\x02sealed\x00"

// NewSealed returns an encrypting view of inner with a fresh random key.
func NewSealed(inner Cache) (*Sealed, error) {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand since Go 1.24)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealed{inner: inner, aead: aead}, nil
}

// Get opens the entry stored under key. An entry that fails to open (it
// cannot, short of memory corruption) is deleted and reported as a miss.
// The returned entry is the caller's own.
func (s *Sealed) Get(key string) (*Entry, bool) {
	sk := sealedPrefix + key
	stored, ok := s.inner.Get(sk)
	if !ok {
		return nil, false
	}
	e, err := s.open(stored.Body, key)
	if err != nil {
		s.inner.Delete(sk)
		return nil, false
	}
	return e, true
}

// Set seals e and stores it under key for ttl. The size limit applies to
// the sealed form.
func (s *Sealed) Set(key string, e *Entry, ttl time.Duration) bool {
	if e == nil || ttl <= 0 || len(e.Body) > MaxEntryBytes {
		return false
	}
	return s.inner.Set(sealedPrefix+key, &Entry{Body: s.seal(e, key)}, ttl)
}

// Delete removes key's sealed entry.
func (s *Sealed) Delete(key string) { s.inner.Delete(sealedPrefix + key) }

// Flush empties the underlying cache, plaintext entries included: it is
// the same stage cache.
func (s *Sealed) Flush() { s.inner.Flush() }

// Stats returns the underlying cache's counters.
func (s *Sealed) Stats() Stats { return s.inner.Stats() }

// seal returns nonce || AES-GCM(encode(e)) with key as additional data.
func (s *Sealed) seal(e *Entry, key string) []byte {
	plain := encodeEntry(e)
	ns := s.aead.NonceSize()
	out := make([]byte, ns, ns+len(plain)+s.aead.Overhead())
	rand.Read(out)
	return s.aead.Seal(out, out[:ns], plain, []byte(key))
}

func (s *Sealed) open(sealed []byte, key string) (*Entry, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < ns {
		return nil, errCorrupt
	}
	plain, err := s.aead.Open(nil, sealed[:ns], sealed[ns:], []byte(key))
	if err != nil {
		return nil, err
	}
	return decodeEntry(plain)
}

var errCorrupt = errors.New("respcache: corrupt sealed entry")

// encodeEntry serialises an entry: status, header count, then each header
// name with its values, all length-prefixed (uvarint), then the body.
func encodeEntry(e *Entry) []byte {
	n := 16 + len(e.Body)
	for k, vs := range e.Header {
		n += len(k) + 10
		for _, v := range vs {
			n += len(v) + 5
		}
	}
	b := make([]byte, 0, n)
	b = binary.AppendUvarint(b, uint64(e.Status))
	b = binary.AppendUvarint(b, uint64(len(e.Header)))
	for k, vs := range e.Header {
		b = appendField(b, k)
		b = binary.AppendUvarint(b, uint64(len(vs)))
		for _, v := range vs {
			b = appendField(b, v)
		}
	}
	return append(b, e.Body...)
}

func decodeEntry(b []byte) (*Entry, error) {
	d := decoder{b: b}
	e := &Entry{Status: int(d.uvarint())}
	if nh := d.uvarint(); nh > 0 && d.err == nil {
		if nh > uint64(len(d.b)) {
			return nil, errCorrupt
		}
		e.Header = make(http.Header, nh)
		for range nh {
			k := d.string()
			nv := d.uvarint()
			if d.err != nil || nv > uint64(len(d.b)) {
				return nil, errCorrupt
			}
			vs := make([]string, nv)
			for i := range vs {
				vs[i] = d.string()
			}
			e.Header[k] = vs
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	e.Body = d.b
	return e, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

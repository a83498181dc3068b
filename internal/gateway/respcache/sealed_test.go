package respcache

import (
	"bytes"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func newSealedStage(t *testing.T, opts Options) (*Memory, *Sealed) {
	t.Helper()
	m := newTestMemory(t, opts)
	s, err := NewSealed(m)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

// storedBytes returns every byte the memory cache holds: keys, header
// names and values, bodies.
func storedBytes(m *Memory) []byte {
	var all []byte
	for i := range m.shards {
		s := &m.shards[i]
		for n := s.root.next; n != &s.root; n = n.next {
			all = append(all, n.key...)
			for k, vs := range n.entry.Header {
				all = append(all, k...)
				for _, v := range vs {
					all = append(all, v...)
				}
			}
			all = append(all, n.entry.Body...)
		}
	}
	return all
}

func TestSealedEntriesAreEncryptedAtRest(t *testing.T) {
	m, s := newSealedStage(t, Options{CapacityBytes: 1 << 20})
	secret := &Entry{
		Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}, "X-Owner": {"Ada Lovelace"}},
		Body:   []byte(`{"ssn":"078-05-1120","diagnosis":"feline allergy"}`),
	}
	if !s.Set("GET /patients/7", secret, time.Hour) {
		t.Fatal("Set refused the entry")
	}
	raw := storedBytes(m)
	for _, plain := range []string{"078-05-1120", "feline allergy", "Ada Lovelace", "application/json"} {
		if bytes.Contains(raw, []byte(plain)) {
			t.Fatalf("the cache's memory holds %q in the clear", plain)
		}
	}
	if got := mustGet(t, s, "GET /patients/7"); !reflect.DeepEqual(got, secret) {
		t.Fatalf("opened entry = %+v, want %+v", got, secret)
	}
}

func TestPlainEntriesAreNotEncrypted(t *testing.T) {
	m := newTestMemory(t, Options{CapacityBytes: 1 << 20})
	m.Set("GET /pets", petResponse("tabby"), time.Hour)
	if !bytes.Contains(storedBytes(m), []byte("tabby")) {
		t.Fatal("storedBytes does not see plaintext entries; the encryption test would prove nothing")
	}
}

func TestSealedAndPlainViewsDoNotShareKeys(t *testing.T) {
	m, s := newSealedStage(t, Options{CapacityBytes: 1 << 20})
	m.Set("GET /pets", petResponse("plain"), time.Hour)
	mustMiss(t, s, "GET /pets")
	s.Set("GET /pets", petResponse("sealed"), time.Hour)
	if got := mustGet(t, m, "GET /pets"); string(got.Body) != "plain" {
		t.Fatalf("plain view returned %q", got.Body)
	}
	if got := mustGet(t, s, "GET /pets"); string(got.Body) != "sealed" {
		t.Fatalf("sealed view returned %q", got.Body)
	}
	s.Delete("GET /pets")
	mustMiss(t, s, "GET /pets")
	mustGet(t, m, "GET /pets")
}

func TestSealedFlushEmptiesTheStageCache(t *testing.T) {
	m, s := newSealedStage(t, Options{CapacityBytes: 1 << 20})
	m.Set("a", petResponse("a"), time.Hour)
	s.Set("b", petResponse("b"), time.Hour)
	s.Flush()
	mustMiss(t, m, "a")
	mustMiss(t, s, "b")
}

func TestSealedEntryCannotBeOpenedWithAnotherStagesKey(t *testing.T) {
	m, s := newSealedStage(t, Options{CapacityBytes: 1 << 20})
	other, err := NewSealed(m)
	if err != nil {
		t.Fatal(err)
	}
	s.Set("k", petResponse("secret"), time.Hour)
	mustMiss(t, other, "k")
	mustMiss(t, s, "k") // the unreadable entry was dropped
}

func TestSealedSizeLimitAppliesToTheSealedForm(t *testing.T) {
	_, s := newSealedStage(t, Options{CapacityBytes: 4 << 20, Shards: 1})
	if s.Set("k", &Entry{Status: 200, Body: make([]byte, MaxEntryBytes)}, time.Hour) {
		t.Fatal("a 1 MiB body stored encrypted; sealing makes it larger than the limit")
	}
	if !s.Set("k", &Entry{Status: 200, Body: make([]byte, MaxEntryBytes-1024)}, time.Hour) {
		t.Fatal("a body 1 KiB under the limit was refused")
	}
}

func TestSealedTTL(t *testing.T) {
	clock := newManualClock()
	_, s := newSealedStage(t, Options{CapacityBytes: 1 << 20, Clock: clock})
	s.Set("k", petResponse("x"), time.Minute)
	clock.Advance(time.Minute)
	mustMiss(t, s, "k")
}

func TestEntryEncodingRoundTrip(t *testing.T) {
	for _, e := range []*Entry{
		{Status: 200, Body: []byte{}},
		{Status: 204, Header: http.Header{"Set-Cookie": {"a=1", "b=2"}, "X-Empty": {""}}, Body: []byte{}},
		{Status: 599, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("line\x00with\xffbytes")},
	} {
		got, err := decodeEntry(encodeEntry(e))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip = %+v, want %+v", got, e)
		}
	}
	if _, err := decodeEntry([]byte{0xc8, 0x01, 0x05, 0x03}); err == nil {
		t.Fatal("decoded a truncated entry")
	}
}

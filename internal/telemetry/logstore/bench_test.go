package logstore

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkAppend is the store's cost per log event in batches of 1000
// (a batch of ~45 requests at INFO with data trace).
func BenchmarkAppend(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "logs.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	msg := "(6a0c5b7e-1111-2222-3333-444455556666) Method request headers: {Accept=*/*, " + strings.Repeat("x", 60) + "}"
	batch := make([]Event, 1000)
	now := time.Now().UnixMilli()
	for i := range batch {
		batch[i] = Event{Group: "API-Gateway-Execution-Logs_abc/prod", Stream: "s", Time: now, Message: msg}
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if n%len(batch) == 0 {
			if err := s.Append(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
}

package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// setAccountLimits stores the account's throttle settings (what
// get-account reports), e.g. to lift AWS's default 10000 requests/s for a
// load test.
func (e *testEnv) setAccountLimits(rate float64, burst int) {
	e.t.Helper()
	e.update(func(tx store.Tx) error {
		a, err := tx.Account()
		if err != nil {
			return err
		}
		a.ThrottleSettings = apigw.ThrottleSettings{RateLimit: rate, BurstLimit: burst}
		return tx.PutAccount(a)
	})
}

// editStage changes a stored stage in one transaction, as update-stage
// does, and returns once the data plane serves the change.
func (e *testEnv) editStage(apiID, stage string, fn func(s *apigw.Stage)) {
	e.t.Helper()
	e.update(func(tx store.Tx) error {
		s, err := tx.Stage(apiID, stage)
		if err != nil {
			return err
		}
		fn(s)
		return tx.PutStage(apiID, s)
	})
}

// countingBackend is an HTTP backend that answers "hit N" (N counting its
// requests, per path) and remembers the last request's headers.
type countingBackend struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	total int
	last  http.Header
}

func newCountingBackend(t testing.TB) *countingBackend {
	b := &countingBackend{hits: map[string]int{}}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.hits[r.URL.Path]++
		b.total++
		n := b.hits[r.URL.Path]
		b.last = r.Header.Clone()
		b.mu.Unlock()
		if s := r.URL.Query().Get("status"); s != "" {
			code, _ := strconv.Atoi(s)
			w.WriteHeader(code)
		}
		if size := r.URL.Query().Get("size"); size != "" {
			n, _ := strconv.Atoi(size)
			w.Write(bytes.Repeat([]byte("x"), n))
			return
		}
		fmt.Fprintf(w, "%s hit %d", r.URL.Path, n)
	}))
	t.Cleanup(b.Close)
	return b
}

// Hits returns how many requests reached path.
func (b *countingBackend) Hits(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hits[path]
}

// Total returns how many requests reached the backend.
func (b *countingBackend) Total() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total
}

// LastHeader returns the headers of the last request.
func (b *countingBackend) LastHeader() http.Header {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// get invokes GET on a stage and returns status and body.
func (e *testEnv) get(apiID, stage, path string, header http.Header) (int, string, http.Header) {
	e.t.Helper()
	resp := e.invoke("GET", apiID, stage, path, nil, header)
	body := readAll(e.t, resp)
	return resp.StatusCode, body, resp.Header
}

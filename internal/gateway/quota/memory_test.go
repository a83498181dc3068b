package quota

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// mapStore is a Persister over a map, standing in for the store.
type mapStore struct {
	mu   sync.Mutex
	recs map[[3]string]store.UsageRecord
}

func newMapStore() *mapStore { return &mapStore{recs: map[[3]string]store.UsageRecord{}} }

func (s *mapStore) LoadUsage(_ context.Context, sub Subject, from, to string) ([]store.UsageRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.UsageRecord
	for k, r := range s.recs {
		if k[0] == sub.PlanID && k[1] == sub.KeyID && k[2] >= from && k[2] <= to {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out, nil
}

func (s *mapStore) SaveUsage(_ context.Context, recs []store.UsageRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		s.recs[[3]string{r.PlanID, r.KeyID, r.Day}] = r
	}
	return nil
}

func (s *mapStore) get(day string) store.UsageRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recs[[3]string{"p", "k", day}]
}

// clock is a settable wall clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func take(t *testing.T, c Counter, at time.Time, n int) int {
	t.Helper()
	ok := 0
	for range n {
		if c.Take(at.UnixNano()) {
			ok++
		}
	}
	return ok
}

var subj = Subject{PlanID: "p", KeyID: "k"}

func TestQuotaDayPeriod(t *testing.T) {
	clk := &clock{time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	ms := newMapStore()
	m := NewMemory(ms, clk.now, nil)
	// Created before today: no offset in this period.
	c := m.Counter(subj, Settings{Quota: apigw.QuotaSettings{Limit: 3, Period: "DAY"}, Anchor: clk.t.AddDate(0, 0, -5)})
	if got := take(t, c, clk.t, 5); got != 3 {
		t.Fatalf("took %d, want 3", got)
	}
	// One nanosecond before midnight: still exhausted.
	end := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	if take(t, c, end.Add(-1), 1) != 0 {
		t.Fatal("allowed before the period ended")
	}
	// At midnight UTC the quota resets.
	if got := take(t, c, end, 4); got != 3 {
		t.Fatalf("new period took %d, want 3", got)
	}
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := ms.get("2026-12-02"); r.Used != 3 || r.Remaining != 0 {
		t.Fatalf("yesterday's record %+v", r)
	}
	if r := ms.get("2026-12-03"); r.Used != 3 || r.Remaining != 0 {
		t.Fatalf("today's record %+v", r)
	}
}

func TestQuotaWeekPeriodAndOffset(t *testing.T) {
	// Wednesday; the week started Sunday 2026-11-29.
	clk := &clock{time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	m := NewMemory(newMapStore(), clk.now, nil)
	c := m.Counter(subj, Settings{Quota: apigw.QuotaSettings{Limit: 5, Offset: 2, Period: "WEEK"}, Anchor: clk.t})
	// The initial period is shortened by the offset.
	if got := take(t, c, clk.t, 10); got != 3 {
		t.Fatalf("initial week took %d, want 3", got)
	}
	// Days roll but the week's count holds.
	if take(t, c, time.Date(2026, 12, 5, 23, 0, 0, 0, time.UTC), 1) != 0 {
		t.Fatal("allowed within the exhausted week")
	}
	// Next week: the full limit.
	if got := take(t, c, time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), 10); got != 5 {
		t.Fatalf("next week took %d, want 5", got)
	}
}

func TestQuotaMonthPeriod(t *testing.T) {
	clk := &clock{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)}
	m := NewMemory(nil, clk.now, nil)
	c := m.Counter(subj, Settings{Quota: apigw.QuotaSettings{Limit: 2, Period: "MONTH"}, Anchor: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if take(t, c, clk.t, 3) != 2 {
		t.Fatal("december")
	}
	if take(t, c, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 3) != 2 {
		t.Fatal("january")
	}
}

func TestQuotaSurvivesRestart(t *testing.T) {
	clk := &clock{time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	ms := newMapStore()
	q := Settings{Quota: apigw.QuotaSettings{Limit: 10, Period: "MONTH"}, Anchor: clk.t.AddDate(0, -2, 0)}
	yesterday := &clock{clk.t.AddDate(0, 0, -1)}
	m := NewMemory(ms, yesterday.now, nil)
	c := m.Counter(subj, q)
	take(t, c, yesterday.t, 4)
	take(t, c, clk.t, 3) // today
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A new process: 7 used this month, 3 today.
	m2 := NewMemory(ms, clk.now, nil)
	c2 := m2.Counter(subj, q)
	if got := take(t, c2, clk.t, 10); got != 3 {
		t.Fatalf("after restart took %d, want 3", got)
	}
	m2.Flush(context.Background())
	if r := ms.get("2026-12-02"); r.Used != 6 || r.Remaining != 0 {
		t.Fatalf("today's record after restart %+v", r)
	}
}

func TestQuotaSetRemainingAndSettings(t *testing.T) {
	clk := &clock{time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	ms := newMapStore()
	m := NewMemory(ms, clk.now, nil)
	q := Settings{Quota: apigw.QuotaSettings{Limit: 2, Period: "DAY"}}
	c := m.Counter(subj, q)
	take(t, c, clk.t, 2)
	m.SetRemaining(subj, 5)
	if got := take(t, c, clk.t, 10); got != 5 {
		t.Fatalf("after SetRemaining took %d, want 5", got)
	}
	// Raising the limit in place keeps the period's count (2 over the
	// extension's start): 7 more of 9.
	q.Quota.Limit = 9
	if m.Counter(subj, q) != c {
		t.Fatal("settings change replaced the counter")
	}
	if got := take(t, c, clk.t, 10); got != 7 {
		t.Fatalf("after raise took %d, want 7", got)
	}
	m.Retain(func(Subject) bool { return false })
	m.Flush(context.Background())
	if r := ms.get("2026-12-02"); r.Used != 14 || r.Remaining != 0 {
		t.Fatalf("record of a retired counter %+v", r)
	}
}

func TestQuotaConcurrentTakesNeverExceed(t *testing.T) {
	clk := &clock{time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	m := NewMemory(nil, clk.now, nil)
	c := m.Counter(subj, Settings{Quota: apigw.QuotaSettings{Limit: 1000, Period: "DAY"}})
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := take(t, c, clk.t, 500)
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != 1000 {
		t.Fatalf("allowed %d, want exactly 1000", total)
	}
}

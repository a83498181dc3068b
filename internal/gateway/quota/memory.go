package quota

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// Memory is the in-process Registry.
type Memory struct {
	persist Persister
	now     func() time.Time
	log     *slog.Logger

	mu       sync.Mutex
	counters map[Subject]*counter
	closed   []store.UsageRecord // final records of days that ended, not yet saved

	flushMu sync.Mutex // one Flush at a time, so records are saved in order
}

var _ Registry = (*Memory)(nil)

// NewMemory returns a Memory persisting through p (nil: nothing is kept
// across restarts). now is the wall clock used when a counter is created
// or its settings change; nil means time.Now.
func NewMemory(p Persister, now func() time.Time, log *slog.Logger) *Memory {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Memory{persist: p, now: now, log: log, counters: map[Subject]*counter{}}
}

// counter is one subject's quota state. The request path touches only the
// atomics; mu serialises the rare day and period roll-overs and settings
// changes. Rolling over and counting may race by a request or two at a
// boundary: AWS calls its own quotas best effort.
type counter struct {
	owner *Memory
	subj  Subject

	limit  atomic.Int64 // the current period's limit
	used   atomic.Int64 // requests counted in the current period
	day    atomic.Int64 // requests counted today
	dayEnd atomic.Int64 // Unix ns at which today ends
	dirty  atomic.Bool  // counted since the last Flush

	mu        sync.Mutex
	settings  Settings
	dayStart  time.Time // today, UTC midnight
	periodEnd time.Time
}

// Take implements Counter.
func (c *counter) Take(now int64) bool {
	if now >= c.dayEnd.Load() {
		c.roll(now)
	}
	if c.used.Add(1) > c.limit.Load() {
		c.used.Add(-1)
		return false
	}
	c.day.Add(1)
	c.dirty.Store(true)
	return true
}

// roll starts a new day, and a new period when the old one has ended. The
// finished day's record is queued for the next Flush.
func (c *counter) roll(now int64) {
	c.mu.Lock()
	if now < c.dayEnd.Load() {
		c.mu.Unlock()
		return // another request rolled first
	}
	rec := c.record()
	c.start(time.Unix(0, now).UTC())
	c.mu.Unlock()
	// After c.mu: Retain takes the Memory's lock, then a counter's.
	c.owner.addClosed(rec)
}

// start sets the day and, if t is past the period, the period containing
// t. Called with mu held.
func (c *counter) start(t time.Time) {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if !t.Before(c.periodEnd) {
		_, c.periodEnd = windowOf(c.settings, t)
		c.limit.Store(c.settings.Quota.LimitAt(c.settings.Anchor, t))
		c.used.Store(0)
	}
	c.dayStart = day
	c.day.Store(0)
	c.dayEnd.Store(day.AddDate(0, 0, 1).UnixNano())
}

func windowOf(s Settings, t time.Time) (time.Time, time.Time) {
	return apigw.QuotaWindow(s.Quota.Period, t)
}

// record is the counter's current day as a usage record. Called with mu
// held.
func (c *counter) record() store.UsageRecord {
	return store.UsageRecord{PlanID: c.subj.PlanID, KeyID: c.subj.KeyID, Day: c.dayStart.Format(DayLayout),
		Used: c.day.Load(), Remaining: max(c.limit.Load()-c.used.Load(), 0)}
}

func (m *Memory) addClosed(r store.UsageRecord) {
	if r.Used == 0 {
		return // an idle day leaves no record, as with no traffic at all
	}
	m.mu.Lock()
	m.closed = append(m.closed, r)
	m.mu.Unlock()
}

// Counter implements Registry.
func (m *Memory) Counter(s Subject, q Settings) Counter {
	m.mu.Lock()
	c := m.counters[s]
	if c != nil {
		m.mu.Unlock()
		c.update(q, m.now())
		return c
	}
	c = &counter{owner: m, subj: s, settings: q}
	m.counters[s] = c
	m.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	now := m.now().UTC()
	c.start(now)
	m.restore(c, now)
	return c
}

// restore reads the persisted usage of the current period: the last
// record's remaining quota (which UpdateUsage may have set) and today's
// count. Called with c.mu held.
func (m *Memory) restore(c *counter, now time.Time) {
	if m.persist == nil {
		return
	}
	from, _ := windowOf(c.settings, now)
	recs, err := m.persist.LoadUsage(context.Background(), c.subj, from.Format(DayLayout), now.Format(DayLayout))
	if err != nil {
		m.log.Error("quota: loading usage failed; counting from zero", "plan", c.subj.PlanID, "key", c.subj.KeyID, "error", err)
		return
	}
	if len(recs) == 0 {
		return
	}
	last := recs[len(recs)-1]
	c.used.Store(c.limit.Load() - last.Remaining)
	if last.Day == c.dayStart.Format(DayLayout) {
		c.day.Store(last.Used)
	}
}

// update applies new settings in place: the period's limit follows them,
// the count so far stays.
func (c *counter) update(q Settings, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.settings == q {
		return
	}
	c.settings = q
	now = now.UTC()
	c.limit.Store(q.Quota.LimitAt(q.Anchor, now))
	_, c.periodEnd = windowOf(q, now)
	c.dirty.Store(true)
}

// Retain implements Registry.
func (m *Memory) Retain(keep func(Subject) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s, c := range m.counters {
		if keep(s) {
			continue
		}
		c.mu.Lock()
		if c.dirty.Load() || c.day.Load() > 0 {
			m.closed = append(m.closed, c.record())
		}
		c.mu.Unlock()
		delete(m.counters, s)
	}
}

// SetRemaining implements Registry. A subject without a counter (its plan
// serves no stage right now) has nothing in memory; its persisted record
// is what the backplane wrote.
func (m *Memory) SetRemaining(s Subject, remaining int64) {
	m.mu.Lock()
	c := m.counters[s]
	m.mu.Unlock()
	if c == nil {
		return
	}
	// A remaining above the limit is an extension: "used" goes negative.
	c.mu.Lock()
	c.used.Store(c.limit.Load() - remaining)
	c.dirty.Store(true)
	c.mu.Unlock()
}

// Flush implements Registry: the finished days, then today's count of
// every counter that counted since the last Flush, in one save.
func (m *Memory) Flush(ctx context.Context) error {
	if m.persist == nil {
		return nil
	}
	m.flushMu.Lock()
	defer m.flushMu.Unlock()
	m.mu.Lock()
	recs := m.closed
	m.closed = nil
	live := make([]*counter, 0, len(m.counters))
	for _, c := range m.counters {
		live = append(live, c)
	}
	m.mu.Unlock()
	for _, c := range live {
		// Clear before reading: a request counted meanwhile sets it again.
		if c.dirty.Swap(false) {
			c.mu.Lock()
			recs = append(recs, c.record())
			c.mu.Unlock()
		}
	}
	if len(recs) == 0 {
		return nil
	}
	if err := m.persist.SaveUsage(ctx, recs); err != nil {
		// Keep them for the next attempt.
		m.mu.Lock()
		m.closed = append(recs, m.closed...)
		m.mu.Unlock()
		return err
	}
	return nil
}

// Run flushes every interval until ctx ends, then once more.
func (m *Memory) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := m.Flush(context.Background()); err != nil {
				m.log.Error("quota: final flush failed", "error", err)
			}
			return
		case <-t.C:
			if err := m.Flush(ctx); err != nil {
				m.log.Error("quota: flush failed", "error", err)
			}
		}
	}
}

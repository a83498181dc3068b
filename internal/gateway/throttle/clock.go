package throttle

import (
	"sync/atomic"
	"time"
)

// Clock tells a limiter the time. Production code uses SystemClock; tests
// and accuracy benchmarks use a ManualClock so refill is deterministic.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock. Buckets driven by it read the monotonic
// clock (time.Since of a fixed start), so a wall-clock step (NTP, a
// suspended laptop's clock being corrected) neither refills nor drains
// buckets.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// ManualClock is a clock that moves only when told to. It is safe for
// concurrent use, and it satisfies any interface with a Now() time.Time
// method (respcache.Clock included), so one ManualClock can drive both the
// throttle and the cache in a gateway test.
type ManualClock struct{ ns atomic.Int64 }

// NewManualClock returns a ManualClock reading start.
func NewManualClock(start time.Time) *ManualClock {
	c := &ManualClock{}
	c.ns.Store(start.UnixNano())
	return c
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// processStart anchors SystemClock readings: nanoseconds since it are
// monotonic and start near zero, far from int64 overflow.
var processStart = time.Now()

// nanoSource turns a Clock into the integer nanosecond reading the hot path
// works with. For SystemClock it avoids building a time.Time and uses the
// monotonic clock only.
func nanoSource(c Clock) func() int64 {
	switch c := c.(type) {
	case nil, SystemClock, *SystemClock:
		return func() int64 { return int64(time.Since(processStart)) }
	case *ManualClock:
		return c.ns.Load
	default:
		return func() int64 { return c.Now().UnixNano() }
	}
}

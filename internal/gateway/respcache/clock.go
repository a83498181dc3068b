package respcache

import "time"

// Clock tells the cache the time for TTL expiry. nil means the real clock.
// throttle.ManualClock satisfies it, so one manual clock can drive a whole
// gateway test.
type Clock interface {
	Now() time.Time
}

// processStart anchors real-clock readings: TTLs run on the monotonic
// clock, so a wall-clock step neither expires nor revives entries.
var processStart = time.Now()

func nanoSource(c Clock) func() int64 {
	if c == nil {
		return func() int64 { return int64(time.Since(processStart)) }
	}
	return func() int64 { return c.Now().UnixNano() }
}

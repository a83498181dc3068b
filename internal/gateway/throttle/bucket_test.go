package throttle

import (
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var epoch = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// drain offers n requests at the current instant and counts the accepted.
func drain(l Limiter, n int) int {
	accepted := 0
	for range n {
		if l.Allow() {
			accepted++
		}
	}
	return accepted
}

func TestBucketBurstThenRefill(t *testing.T) {
	clock := NewManualClock(epoch)
	b := NewBucket(Limit{Rate: 10, Burst: 5}, clock)

	if got := drain(b, 20); got != 5 {
		t.Fatalf("a full bucket of burst 5 accepted %d of 20 simultaneous requests", got)
	}
	clock.Advance(99 * time.Millisecond)
	if b.Allow() {
		t.Fatal("accepted a request 99 ms after draining a 10 r/s bucket")
	}
	clock.Advance(time.Millisecond)
	if got := drain(b, 20); got != 1 {
		t.Fatalf("100 ms after draining a 10 r/s bucket accepted %d, want 1", got)
	}
	clock.Advance(10 * time.Second)
	if got := drain(b, 20); got != 5 {
		t.Fatalf("after a long idle period accepted %d, want the burst 5 (refill stops at capacity)", got)
	}
}

func TestBucketFractionalRate(t *testing.T) {
	clock := NewManualClock(epoch)
	b := NewBucket(Limit{Rate: 0.5, Burst: 1}, clock)

	if !b.Allow() {
		t.Fatal("a full bucket rejected its first request")
	}
	if b.Allow() {
		t.Fatal("burst 1 accepted a second simultaneous request")
	}
	clock.Advance(1999 * time.Millisecond)
	if b.Allow() {
		t.Fatal("0.5 r/s accepted a request 1.999 s after the last one")
	}
	clock.Advance(time.Millisecond)
	if !b.Allow() {
		t.Fatal("0.5 r/s rejected a request 2 s after the last one")
	}
	if got := b.Tokens(); got != 0 {
		t.Fatalf("tokens after taking the only one = %v, want 0", got)
	}
	clock.Advance(time.Second)
	if got := b.Tokens(); got != 0.5 {
		t.Fatalf("tokens 1 s later at 0.5 r/s = %v, want 0.5", got)
	}
}

func TestBucketSpecialLimits(t *testing.T) {
	tests := []struct {
		name  string
		limit Limit
		now   int // accepted of 1000 simultaneous requests
		later int // accepted of 1000 more, 1000 hours later
	}{
		{"-1/-1 is unlimited", Limit{Rate: -1, Burst: -1}, 1000, 1000},
		{"rate -1 is unlimited whatever the burst", Limit{Rate: -1, Burst: 5}, 1000, 1000},
		{"burst -1 is unlimited whatever the rate", Limit{Rate: 10, Burst: -1}, 1000, 1000},
		{"rate 0 burst 0 rejects everything", Limit{Rate: 0, Burst: 0}, 0, 0},
		{"burst 0 rejects everything at any rate", Limit{Rate: 100, Burst: 0}, 0, 0},
		{"rate 0 never refills", Limit{Rate: 0, Burst: 3}, 3, 0},
		{"a tiny rate refills within 1000 hours", Limit{Rate: 1.0 / 3600, Burst: 2000}, 1000, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewManualClock(epoch)
			b := NewBucket(tt.limit, clock)
			if got := drain(b, 1000); got != tt.now {
				t.Fatalf("accepted %d of 1000 at once, want %d", got, tt.now)
			}
			clock.Advance(1000 * time.Hour)
			if got := drain(b, 1000); got != tt.later {
				t.Fatalf("1000 hours later accepted %d of 1000, want %d", got, tt.later)
			}
		})
	}
}

// offer sends requests to l at offered requests/s, evenly spaced, over
// [0, d] of simulated time (both ends included) and counts the accepted.
// Arrival i is at exactly i·d/n, so no rounding of the step accumulates.
func offer(l Limiter, clock *ManualClock, offered float64, d time.Duration) (offeredN, accepted int) {
	start := clock.Now()
	n := int64(math.Round(offered * d.Seconds()))
	for i := int64(0); i <= n; i++ {
		clock.Set(start.Add(time.Duration(i * int64(d) / n)))
		if l.Allow() {
			accepted++
		}
	}
	return int(n + 1), accepted
}

// TestBucketAcceptsBurstPlusRateTimesDuration is the accuracy rule of the
// throttling issue on simulated time: offered 4x its rate for 10 s, a
// bucket accepts burst + rate x 10 requests. Simulated time makes this
// exact and independent of machine speed; throttle_benchmark_test.go
// reports the same figures.
func TestBucketAcceptsBurstPlusRateTimesDuration(t *testing.T) {
	for _, tt := range accuracyCases {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewManualClock(epoch)
			_, accepted := offer(NewBucket(tt.limit, clock), clock, 4*tt.limit.Rate, 10*time.Second)
			if want := tt.expected(); accepted != want {
				t.Fatalf("accepted %d, want burst + rate x 10 s = %d", accepted, want)
			}
		})
	}
}

// accuracyCase is a limit under the accuracy rule: offered 4x its rate for
// 10 s, it accepts burst + rate x 10 requests.
type accuracyCase struct {
	name  string
	limit Limit
}

func (c accuracyCase) expected() int { return c.limit.Burst + int(c.limit.Rate*10) }

var accuracyCases = []accuracyCase{
	{"rate 100 burst 50", Limit{Rate: 100, Burst: 50}},
	{"rate 1000 burst 500", Limit{Rate: 1000, Burst: 500}},
	{"rate 0.5 burst 1", Limit{Rate: 0.5, Burst: 1}},
	{"rate 0.5 burst 10", Limit{Rate: 0.5, Burst: 10}},
	{"rate 3 burst 2", Limit{Rate: 3, Burst: 2}},
}

// TestBucketConcurrentRequestsTakeExactlyTheTokens runs under the race
// detector in CI: many goroutines racing on one bucket never get more (or
// fewer) tokens than it holds.
func TestBucketConcurrentRequestsTakeExactlyTheTokens(t *testing.T) {
	clock := NewManualClock(epoch)
	b := NewBucket(Limit{Rate: 100, Burst: 500}, clock)

	race := func() int64 {
		var accepted atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 1000 {
					if b.Allow() {
						accepted.Add(1)
					}
				}
			})
		}
		wg.Wait()
		return accepted.Load()
	}
	if got := race(); got != 500 {
		t.Fatalf("8 goroutines x 1000 requests on a full burst-500 bucket: %d accepted, want 500", got)
	}
	clock.Advance(time.Second)
	if got := race(); got != 100 {
		t.Fatalf("1 s later at 100 r/s: %d accepted, want 100", got)
	}
	if got := b.Rejected(); got != 16000-600 {
		t.Fatalf("rejected counter = %d, want %d", got, 16000-600)
	}
}

func TestBucketSetLimitKeepsTokenCount(t *testing.T) {
	tests := []struct {
		name       string
		from, to   Limit
		take       int // requests taken before the change
		wantTokens float64
	}{
		{"an empty bucket stays empty when the rate rises", Limit{Rate: 10, Burst: 10}, Limit{Rate: 1000, Burst: 10}, 10, 0},
		{"an empty bucket stays empty when the rate drops", Limit{Rate: 10, Burst: 10}, Limit{Rate: 1, Burst: 10}, 10, 0},
		{"a larger burst does not add tokens", Limit{Rate: 10, Burst: 10}, Limit{Rate: 10, Burst: 50}, 0, 10},
		{"tokens are kept", Limit{Rate: 10, Burst: 10}, Limit{Rate: 20, Burst: 20}, 4, 6},
		{"tokens are capped at a smaller burst", Limit{Rate: 10, Burst: 10}, Limit{Rate: 10, Burst: 3}, 2, 3},
		{"leaving unlimited starts full", Unlimited, Limit{Rate: 1, Burst: 2}, 100, 2},
		{"leaving reject-all starts full", Limit{}, Limit{Rate: 1, Burst: 2}, 100, 2},
		{"the same limit changes nothing", Limit{Rate: 3, Burst: 9}, Limit{Rate: 3, Burst: 9}, 4, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewManualClock(epoch)
			b := NewBucket(tt.from, clock)
			drain(b, tt.take)
			b.SetLimit(tt.to)
			if got := b.Tokens(); got != tt.wantTokens {
				t.Fatalf("tokens after the change = %v, want %v", got, tt.wantTokens)
			}
			if got := b.Limit(); got != tt.to {
				t.Fatalf("Limit() = %v, want %v", got, tt.to)
			}
			if got := drain(b, 100); got != int(tt.wantTokens) {
				t.Fatalf("accepted %d at once after the change, want %d", got, int(tt.wantTokens))
			}
		})
	}
}

func TestBucketRefillsAtNewRateAfterUpdate(t *testing.T) {
	clock := NewManualClock(epoch)
	b := NewBucket(Limit{Rate: 1, Burst: 5}, clock)
	drain(b, 5)
	b.SetLimit(Limit{Rate: 100, Burst: 5})
	clock.Advance(30 * time.Millisecond)
	if got := drain(b, 100); got != 3 {
		t.Fatalf("30 ms after raising the rate to 100 r/s accepted %d, want 3", got)
	}
}

package throttle

import (
	"math"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAccuracy is the throttling issue's accuracy rule on simulated
// time: a method bucket offered 4x its rate for 10 s accepts
// burst + rate x 10 requests, within 1 %. It reports the accepted and
// expected counts and the error in percent, and fails beyond 1 %.
//
//	go test -run '^$' -bench Accuracy -benchtime 1x ./internal/gateway/throttle/
func BenchmarkAccuracy(b *testing.B) {
	for _, tc := range accuracyCases {
		b.Run(tc.name, func(b *testing.B) {
			var offered, accepted int
			for b.Loop() {
				clock := NewManualClock(epoch)
				// Through a Chain with the default account level, as the data
				// plane uses it.
				set := NewSet(clock, Limit{Rate: 10000, Burst: 5000})
				lim := set.Limiter(scope("pets/GET"), tc.limit)
				offered, accepted = offer(lim, clock, 4*tc.limit.Rate, 10*time.Second)
			}
			want := tc.expected()
			errPct := 100 * math.Abs(float64(accepted-want)) / float64(want)
			b.ReportMetric(float64(offered), "offered")
			b.ReportMetric(float64(accepted), "accepted")
			b.ReportMetric(float64(want), "expected")
			b.ReportMetric(errPct, "err%")
			if errPct > 1 {
				b.Fatalf("accepted %d of %d offered, want %d within 1%%", accepted, offered, want)
			}
		})
	}
}

// BenchmarkBucketAllow is the cost of one decision on the real clock, for
// a bucket that accepts (one compare-and-swap) and one that rejects (one
// load).
func BenchmarkBucketAllow(b *testing.B) {
	b.Run("accept", func(b *testing.B) {
		bucket := NewBucket(Limit{Rate: 1e9, Burst: 1 << 30}, SystemClock{})
		for b.Loop() {
			bucket.Allow()
		}
	})
	b.Run("reject", func(b *testing.B) {
		bucket := NewBucket(Limit{Rate: 1, Burst: 1}, SystemClock{})
		for b.Loop() {
			bucket.Allow()
		}
	})
}

// BenchmarkChainAllow is the per-request cost in the data plane: method and
// account level, real clock, single goroutine and parallel. "parallel-shared"
// is every goroutine on one method (the worst case: one contended
// compare-and-swap per level); "parallel-methods" gives each goroutine its
// own method, sharing only the account bucket.
func BenchmarkChainAllow(b *testing.B) {
	wide := Limit{Rate: 1e9, Burst: 1 << 30}
	b.Run("single", func(b *testing.B) {
		lim := NewSet(SystemClock{}, wide).Limiter(scope("pets/GET"), wide)
		for b.Loop() {
			lim.Allow()
		}
	})
	b.Run("parallel-shared", func(b *testing.B) {
		lim := NewSet(SystemClock{}, wide).Limiter(scope("pets/GET"), wide)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				lim.Allow()
			}
		})
	})
	b.Run("parallel-methods", func(b *testing.B) {
		set := NewSet(SystemClock{}, wide)
		var n atomic.Int32
		b.RunParallel(func(pb *testing.PB) {
			lim := set.Limiter(scope(strconv.Itoa(int(n.Add(1)))+"/GET"), wide)
			for pb.Next() {
				lim.Allow()
			}
		})
	})
	b.Run("parallel-rejecting", func(b *testing.B) {
		lim := NewSet(SystemClock{}, wide).Limiter(scope("pets/GET"), Limit{Rate: 1, Burst: 1})
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				lim.Allow()
			}
		})
	})
}

package throttle

import (
	"math"
	"sync"
	"sync/atomic"
)

// Bucket is an in-memory token bucket, implemented as GCRA (the generic cell
// rate algorithm): instead of a token count and a last-refill time it keeps
// one number, the theoretical arrival time (TAT), in an atomic int64. With
// interval T = 1/rate and capacity B:
//
//	tokens(now) = B - max(0, TAT-now)/T        (TAT <= now means full)
//	a request passes iff max(TAT, now) + T - now <= B·T, and then
//	TAT = max(TAT, now) + T                    (one compare-and-swap)
//
// A rejection leaves TAT alone (no compare-and-swap), so a flood of 429s
// costs a load of TAT and the increment of the Rejected counter each. A
// new bucket starts full.
//
// A Bucket is safe for concurrent use; its limit can be changed in place
// with SetLimit while requests flow.
type Bucket struct {
	tat      atomic.Int64 // theoretical arrival time, ns on the bucket's clock
	p        atomic.Pointer[params]
	rejected atomic.Uint64
	now      func() int64
	mu       sync.Mutex // serialises SetLimit
}

// NewBucket returns a full bucket with limit l driven by clock c (nil means
// SystemClock).
func NewBucket(l Limit, c Clock) *Bucket {
	return newBucket(l, nanoSource(c))
}

func newBucket(l Limit, now func() int64) *Bucket {
	b := &Bucket{now: now}
	b.p.Store(newParams(l))
	return b
}

// params is a limit in the form the hot path uses. It is immutable: an
// update swaps the pointer.
type params struct {
	limit     Limit
	mode      mode
	interval  int64 // ns per token (T)
	tolerance int64 // ns: B·T, how far TAT may run ahead of now
}

type mode uint8

const (
	limited mode = iota
	unlimited
	rejectAll
)

// maxSpan bounds B·T (about 73 years) so that now + tolerance + interval
// cannot overflow an int64 of Unix nanoseconds. A rate so low that one
// token takes longer than maxSpan/B is treated as that slow; rate 0 is the
// extreme case and never refills in practice.
const maxSpan = int64(1) << 61

func newParams(l Limit) *params {
	switch {
	case l.IsUnlimited():
		return &params{limit: l, mode: unlimited}
	case l.RejectsAll():
		return &params{limit: l, mode: rejectAll}
	}
	burst := int64(l.Burst)
	maxInterval := maxSpan / burst
	interval := maxInterval
	if l.Rate > 0 {
		if t := 1e9 / l.Rate; t < float64(maxInterval) {
			interval = max(int64(math.Round(t)), 1)
		}
	}
	return &params{limit: l, mode: limited, interval: interval, tolerance: interval * burst}
}

// Allow takes one token if there is one and reports whether it did.
func (b *Bucket) Allow() bool {
	_, ok := b.take(b.now())
	return ok
}

// take takes one token at time now. It returns the interval it charged, so
// that a caller whose request was rejected by another bucket can refund it.
func (b *Bucket) take(now int64) (int64, bool) {
	p := b.p.Load()
	switch p.mode {
	case unlimited:
		return 0, true
	case rejectAll:
		b.rejected.Add(1)
		return 0, false
	}
	for {
		tat := b.tat.Load()
		next := max(tat, now) + p.interval
		if next-now > p.tolerance {
			b.rejected.Add(1)
			return 0, false
		}
		if b.tat.CompareAndSwap(tat, next) {
			return p.interval, true
		}
	}
}

// refund gives back a token charged by take. Because any TAT at or before
// now means "full", refunding the token of a request taken from a full
// bucket restores exactly the earlier state.
func (b *Bucket) refund(interval int64) {
	if interval != 0 {
		b.tat.Add(-interval)
	}
}

// Limit returns the bucket's current limit.
func (b *Bucket) Limit() Limit { return b.p.Load().limit }

// Rejected returns how many requests this bucket has rejected. Requests it
// accepted but that another level rejected are not counted here.
func (b *Bucket) Rejected() uint64 { return b.rejected.Load() }

// Tokens returns the tokens available now (fractional while refilling).
// It is +Inf for an unlimited bucket.
func (b *Bucket) Tokens() float64 {
	return tokensAt(b.p.Load(), b.tat.Load(), b.now())
}

func tokensAt(p *params, tat, now int64) float64 {
	switch p.mode {
	case unlimited:
		return math.Inf(1)
	case rejectAll:
		return 0
	}
	if tat <= now {
		return float64(p.limit.Burst)
	}
	return float64(p.limit.Burst) - float64(tat-now)/float64(p.interval)
}

// SetLimit changes the bucket's limit in place. The bucket keeps its token
// count, capped at the new burst, and refills at the new rate from there:
// an empty bucket stays empty, a larger burst adds room but no tokens. A bucket coming back from
// "unlimited" or "reject all" starts full. Requests racing with the change
// may be judged against either limit, so the count can be off by the
// racing requests at the moment of the change; no other bucket is touched.
func (b *Bucket) SetLimit(l Limit) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.p.Load().limit == l {
		return // rebuilding a stage with unchanged settings is a no-op
	}
	np := newParams(l)
	op := b.p.Swap(np)
	if np.mode != limited {
		return
	}
	for {
		now := b.now()
		tat := b.tat.Load()
		tokens := float64(np.limit.Burst)
		if op.mode == limited {
			tokens = min(tokensAt(op, tat, now), tokens)
		}
		deficit := (float64(np.limit.Burst) - tokens) * float64(np.interval)
		next := now + min(int64(deficit), np.tolerance)
		if b.tat.CompareAndSwap(tat, next) {
			return
		}
	}
}

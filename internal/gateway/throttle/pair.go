package throttle

// Pair is a limiter of two levels that must both have a token, the first
// more specific: a usage plan's per-method limit for a key and the plan's
// limit for that key. Like Chain, a request the second level rejects gets
// its first-level token back, so a rejected request consumes nothing.
type Pair struct {
	first, second *Bucket
	now           func() int64
}

// NewPair returns the limiter over first then second; both must come from
// the same Set (they share its clock).
func (s *Set) NewPair(first, second *Bucket) *Pair {
	return &Pair{first: first, second: second, now: s.now}
}

// Allow implements Limiter.
func (p *Pair) Allow() bool {
	now := p.now()
	iv, ok := p.first.take(now)
	if !ok {
		return false
	}
	if _, ok := p.second.take(now); !ok {
		p.first.refund(iv)
		return false
	}
	return true
}

var _ Limiter = (*Pair)(nil)

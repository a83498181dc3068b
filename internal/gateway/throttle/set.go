package throttle

import "sync"

// Limiter decides whether one request may pass. Implementations must be
// safe for concurrent use and cheap: Allow runs on every request.
//
// The in-memory implementations are *Bucket (one level) and *Chain (a
// method bucket plus the account bucket). A cluster-wide implementation
// (GCRA in Redis, one script evaluating every level of a request) will
// satisfy the same interface.
type Limiter interface {
	// Allow consumes one token at every level and reports whether the
	// request may pass. A rejected request consumes nothing.
	Allow() bool
}

// Registry hands out limiters per method and keeps their buckets across
// configuration changes. Set is the in-memory Registry.
type Registry interface {
	// SetAccountLimit changes the account level, in place.
	SetAccountLimit(l Limit)
	// Limiter returns the limiter for one method with method-level limit
	// l, creating the method's bucket on first use and updating its limit
	// in place afterwards.
	Limiter(sc Scope, l Limit) Limiter
	// ForgetStage drops the buckets of a deleted stage.
	ForgetStage(restAPIID, stage string)
}

// Interface guards.
var (
	_ Limiter  = (*Bucket)(nil)
	_ Limiter  = (*Chain)(nil)
	_ Registry = (*Set)(nil)
)

// Scope names one method-level bucket: a method of a stage, identified by
// its methodSettings key ("pets/{id}/GET", see apigw.MethodSettingKey).
// Canary requests use the stage's scopes: AWS applies the stage's method
// settings to canary traffic too.
type Scope struct {
	RestAPIID string
	Stage     string
	Method    string
}

// Set is the gateway's collection of buckets: one account bucket, shared by
// every stage, and one bucket per stage method. Lookups take a mutex and are
// meant for the moment a stage's routing snapshot is built, not for each
// request: the data plane keeps the Limiter it got and calls Allow on it.
// Because buckets are updated in place, a Limiter obtained before an
// update-stage sees the new limit immediately, and the other methods'
// buckets keep their state.
type Set struct {
	now     func() int64
	account *Bucket

	mu      sync.Mutex
	methods map[Scope]*Bucket
}

// NewSet returns a Set with account limit account, driven by clock c (nil
// means SystemClock).
func NewSet(c Clock, account Limit) *Set {
	now := nanoSource(c)
	return &Set{now: now, account: newBucket(account, now), methods: map[Scope]*Bucket{}}
}

// SetAccountLimit changes the account limit in place.
func (s *Set) SetAccountLimit(l Limit) { s.account.SetLimit(l) }

// Account returns the account bucket.
func (s *Set) Account() *Bucket { return s.account }

// Bucket returns the method bucket for sc with limit l: a new full bucket
// the first time, afterwards the same bucket with its limit updated in
// place.
func (s *Set) Bucket(sc Scope, l Limit) *Bucket {
	s.mu.Lock()
	b, ok := s.methods[sc]
	if !ok {
		b = newBucket(l, s.now)
		s.methods[sc] = b
	}
	s.mu.Unlock()
	if ok {
		b.SetLimit(l)
	}
	return b
}

// Lookup returns the method bucket for sc if it exists.
func (s *Set) Lookup(sc Scope) (*Bucket, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.methods[sc]
	return b, ok
}

// Limiter returns the limiter for the method sc: its method bucket (limit
// l, see MethodLimit for AWS's precedence) and the account bucket.
func (s *Set) Limiter(sc Scope, l Limit) Limiter {
	return &Chain{method: s.Bucket(sc, l), account: s.account, now: s.now}
}

// ForgetStage drops every method bucket of a stage, e.g. when the stage is
// deleted. A stage created again under the same name starts with full
// buckets.
func (s *Set) ForgetStage(restAPIID, stage string) {
	s.Retain(func(sc Scope) bool { return sc.RestAPIID != restAPIID || sc.Stage != stage })
}

// Retain drops every method bucket for which keep returns false, e.g. the
// methods that disappeared with a new deployment.
func (s *Set) Retain(keep func(Scope) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sc := range s.methods {
		if !keep(sc) {
			delete(s.methods, sc)
		}
	}
}

// Len returns the number of method buckets.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.methods)
}

// Chain is the limiter of one stage method: the method bucket AND the
// account bucket. AWS's order of application is method level, then account
// level; a request must find a token in both.
type Chain struct {
	method, account *Bucket
	now             func() int64
}

// Allow takes a token from the method bucket, then from the account bucket.
// If the account bucket rejects the request, the method token is refunded,
// so a rejected request consumes no token at any level. Between the take
// and the refund a concurrent request may see the method bucket one token
// lower; that window is a few nanoseconds wide.
func (c *Chain) Allow() bool {
	now := c.now()
	iv, ok := c.method.take(now)
	if !ok {
		return false
	}
	if _, ok := c.account.take(now); !ok {
		c.method.refund(iv)
		return false
	}
	return true
}

// Method returns the chain's method bucket.
func (c *Chain) Method() *Bucket { return c.method }

// Account returns the chain's account bucket.
func (c *Chain) Account() *Bucket { return c.account }

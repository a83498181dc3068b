package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/gateway/quota"
	"github.com/stagecoach/stagecoach/internal/gateway/throttle"
	"github.com/stagecoach/stagecoach/internal/store"
)

// API keys and usage plans on the data plane.
//
// Every API key and usage plan is compiled, whenever one of them changes
// (store.Change.UsagePlans), into one immutable table per API stage: the
// values of the enabled keys that belong to a plan bound to that stage,
// each with the key's throttle limiter and quota counter under that plan.
// The table is published through an atomic pointer the stage's compiled
// methods hold (keyHolder), so a request checks its key with one atomic
// load and one map lookup: no lock, no store call. Limiters and counters
// live across recompiles (keyState), so tokens and counts survive an
// unrelated change.
//
// AWS's rules (spec access-control.md §3): a method with apiKeyRequired
// needs a key, from the x-api-key header (apiKeySource HEADER) or from a
// Lambda authorizer's usageIdentifierKey (AUTHORIZER); a missing, unknown
// or disabled key, or one not in a plan bound to the stage, gets 403
// {"message":"Forbidden"} (INVALID_API_KEY); the plan's per-method
// throttle for the method, then the plan's throttle, per key, give 429
// {"message":"Too Many Requests"} (THROTTLED); an exhausted quota gives
// 429 {"message":"Limit Exceeded"} (QUOTA_EXCEEDED).

// INVALID_API_KEY and QUOTA_EXCEEDED (spec §3; x-amzn-ErrorType values U,
// following its table).
var (
	respInvalidAPIKey = newGatewayResponse(gtInvalidAPIKey, http.StatusForbidden, "ForbiddenException",
		`{"message":"Forbidden"}`)
	respQuotaExceeded = newGatewayResponse(gtQuotaExceeded, http.StatusTooManyRequests, "LimitExceededException",
		`{"message":"Limit Exceeded"}`)
)

// apiKeySourceAuthorizer is the apiKeySource that reads the key from the
// Lambda authorizer (authContext.usageIdentifierKey, set by the
// authorizer step, which runs before this one).
const apiKeySourceAuthorizer = "AUTHORIZER"

// keyGrant is one key's admission to one stage: who it is and the limits
// its plan puts on it there.
type keyGrant struct {
	keyID, value, planID string
	// limiter is the plan's throttle for this key; nil without one.
	limiter throttle.Limiter
	// methods holds, by method throttle key ("/pets/GET"), the plan's
	// per-method throttle for this key on this stage chained with the
	// plan throttle; nil when the plan has none for the stage.
	methods map[string]throttle.Limiter
	// quota is nil when the plan has no quota.
	quota quota.Counter
}

// stageKeys is one stage's compiled key table.
type stageKeys struct {
	byValue map[string]*keyGrant
}

// keyHolder is what a stage's methods hold: the stage's current table,
// nil when no plan is bound to the stage.
type keyHolder = atomic.Pointer[stageKeys]

// apiKeyResult is what the key step found, for logs.
type apiKeyResult struct {
	required bool
	value    string    // the key presented, valid or not
	grant    *keyGrant // nil unless the key was accepted
}

// keyState is the gateway's API key machinery that survives recompiles.
type keyState struct {
	st      store.Store
	log     *slog.Logger
	limits  *throttle.Set  // per key (and plan, and method) buckets
	quotas  quota.Registry // per key and plan
	memory  *quota.Memory  // quotas when it is the in-process registry
	nowNano func() int64   // wall clock for quota periods

	mu      sync.Mutex // guards holders; compile time only
	holders map[stageKey]*keyHolder

	compileMu sync.Mutex // one keyring compile at a time

	stopFlush context.CancelFunc
	flushDone chan struct{}
}

// quotaFlushInterval is how often counted requests are written to the
// store. A crash loses at most this much counting; a clean shutdown loses
// nothing (Close flushes).
const quotaFlushInterval = time.Second

func newKeyState(st store.Store, opts Options, log *slog.Logger) *keyState {
	var tc throttle.Clock = throttle.SystemClock{}
	now := time.Now
	if opts.Clock != nil {
		tc, now = opts.Clock, opts.Clock.Now
	}
	k := &keyState{
		st: st, log: log,
		limits:  throttle.NewSet(tc, throttle.Unlimited),
		nowNano: func() int64 { return now().UnixNano() },
		holders: map[stageKey]*keyHolder{},
	}
	if opts.Quotas != nil {
		k.quotas = opts.Quotas
	} else {
		k.memory = quota.NewMemory(storeUsage{st}, now, log)
		k.quotas = k.memory
		ctx, cancel := context.WithCancel(context.Background())
		k.stopFlush, k.flushDone = cancel, make(chan struct{})
		go func() {
			defer close(k.flushDone)
			k.memory.Run(ctx, quotaFlushInterval)
		}()
	}
	return k
}

// close stops the flush loop after a final flush.
func (k *keyState) close() {
	if k.stopFlush != nil {
		k.stopFlush()
		<-k.flushDone
	}
}

// holder returns the table pointer of a stage, creating it on first use.
func (k *keyState) holder(apiID, stage string) *keyHolder {
	key := keyOf(apiID, stage)
	k.mu.Lock()
	defer k.mu.Unlock()
	h := k.holders[key]
	if h == nil {
		h = new(keyHolder)
		k.holders[key] = h
	}
	return h
}

// onChange recompiles the key tables after a committed change to keys or
// plans. It runs on the committing goroutine, so a client that gets the
// answer to create-usage-plan-key can use the key at once.
func (k *keyState) onChange(ch store.Change) {
	if !ch.UsagePlans {
		return
	}
	if err := k.compile(); err != nil {
		k.log.Error("data plane: compiling API keys failed; still serving the previous keys", "error", err)
	}
}

// compile rebuilds every stage's key table from the store and publishes
// them.
func (k *keyState) compile() error {
	k.compileMu.Lock()
	defer k.compileMu.Unlock()
	tables := map[stageKey]*stageKeys{}
	scopes := map[throttle.Scope]bool{}
	subjects := map[quota.Subject]bool{}
	err := k.st.View(context.Background(), func(tx store.Tx) error {
		plans, err := tx.UsagePlans()
		if err != nil {
			return err
		}
		for _, p := range plans {
			if len(p.APIStages) == 0 {
				continue
			}
			ids, err := tx.UsagePlanKeys(p.ID)
			if err != nil {
				return err
			}
			for _, id := range ids {
				key, err := tx.APIKey(id)
				if err != nil {
					return err
				}
				if !key.Enabled {
					continue // a disabled key is refused like an unknown one
				}
				k.grant(p, key, tables, scopes, subjects)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	k.mu.Lock()
	for sk, t := range tables {
		h := k.holders[sk]
		if h == nil {
			h = new(keyHolder)
			k.holders[sk] = h
		}
		h.Store(t)
	}
	for sk, h := range k.holders {
		if tables[sk] == nil {
			h.Store(nil)
		}
	}
	k.mu.Unlock()
	k.limits.Retain(func(sc throttle.Scope) bool { return scopes[sc] })
	k.quotas.Retain(func(s quota.Subject) bool { return subjects[s] })
	return nil
}

// grant adds key's admission under plan p to the tables of p's stages.
func (k *keyState) grant(p *apigw.UsagePlan, key *apigw.APIKey, tables map[stageKey]*stageKeys,
	scopes map[throttle.Scope]bool, subjects map[quota.Subject]bool) {
	// Bucket scopes reuse throttle.Scope's three strings: the plan, the
	// key, and (per-method limits) the stage and method.
	planScope := throttle.Scope{RestAPIID: "plan/" + p.ID, Stage: key.ID}
	var planBucket *throttle.Bucket
	if p.Throttle != nil {
		planBucket = k.limits.Bucket(planScope, limitOf(*p.Throttle))
		scopes[planScope] = true
	}
	var counter quota.Counter
	if p.Quota != nil {
		s := quota.Subject{PlanID: p.ID, KeyID: key.ID}
		counter = k.quotas.Counter(s, quota.Settings{Quota: *p.Quota, Anchor: p.QuotaAnchor.Time})
		subjects[s] = true
	}
	for _, st := range p.APIStages {
		g := &keyGrant{keyID: key.ID, value: key.Value, planID: p.ID, quota: counter}
		if planBucket != nil {
			g.limiter = planBucket
		}
		for mk, ts := range st.Throttle {
			sc := throttle.Scope{RestAPIID: planScope.RestAPIID, Stage: key.ID, Method: st.Ref() + " " + mk}
			mb := k.limits.Bucket(sc, limitOf(ts))
			scopes[sc] = true
			if g.methods == nil {
				g.methods = map[string]throttle.Limiter{}
			}
			if planBucket != nil {
				g.methods[mk] = k.limits.NewPair(mb, planBucket)
			} else {
				g.methods[mk] = mb
			}
		}
		sk := keyOf(st.APIID, st.Stage)
		t := tables[sk]
		if t == nil {
			t = &stageKeys{byValue: map[string]*keyGrant{}}
			tables[sk] = t
		}
		t.byValue[key.Value] = g
	}
}

// limitOf maps a usage plan throttle to a bucket limit (the throttle
// package's special values apply: burst 0 rejects everything).
func limitOf(ts apigw.ThrottleSettings) throttle.Limit {
	return throttle.Limit{Rate: ts.RateLimit, Burst: ts.BurstLimit}
}

// apiKeyStep is the pipeline step of a method with apiKeyRequired; nil
// for every other method, which therefore pays nothing. It runs after
// the authorizer (AUTHORIZER key source) and the stage throttle.
func (c *compiler) apiKeyStep(v *variant, m *method, am *apigw.Method) step {
	if am == nil || !am.APIKeyRequired {
		return nil
	}
	keys := c.g.keys
	holder := keys.holder(v.apiID, v.stageName)
	fromAuthorizer := v.snapshot != nil && strings.EqualFold(v.snapshot.APIKeySource, apiKeySourceAuthorizer)
	methodKey := apigw.MethodThrottleKey(m.resourcePath, m.verb)
	nowNano := keys.nowNano
	return func(next handler) handler {
		return func(inv *invocation) {
			inv.apiKey.required = true
			var value string
			if fromAuthorizer {
				if inv.auth != nil {
					value = inv.auth.usageIdentifierKey
				}
			} else if vs := inv.r.Header["X-Api-Key"]; len(vs) > 0 {
				value = vs[0]
			}
			inv.apiKey.value = value
			var g *keyGrant
			if t := holder.Load(); t != nil && value != "" {
				g = t.byValue[value]
			}
			if g == nil {
				respInvalidAPIKey.write(inv)
				return
			}
			inv.apiKey.grant = g
			lim := g.limiter
			if g.methods != nil {
				if ml := g.methods[methodKey]; ml != nil {
					lim = ml
				}
			}
			if lim != nil && !lim.Allow() {
				inv.throttled = true
				writeThrottled(inv)
				return
			}
			if g.quota != nil && !g.quota.Take(nowNano()) {
				respQuotaExceeded.write(inv)
				return
			}
			next(inv)
		}
	}
}

// storeUsage persists quota counters as the store's usage records.
type storeUsage struct{ st store.Store }

func (s storeUsage) LoadUsage(ctx context.Context, sub quota.Subject, from, to string) ([]store.UsageRecord, error) {
	var out []store.UsageRecord
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.UsageRecords(sub.PlanID, sub.KeyID, from, to)
		return err
	})
	return out, err
}

func (s storeUsage) SaveUsage(ctx context.Context, recs []store.UsageRecord) error {
	return s.st.Update(ctx, func(tx store.Tx) error { return tx.PutUsageRecords(recs) })
}

// FlushUsage implements backplane.UsageMeter.
func (g *Gateway) FlushUsage(ctx context.Context) error { return g.keys.quotas.Flush(ctx) }

// SetRemaining implements backplane.UsageMeter.
func (g *Gateway) SetRemaining(planID, keyID string, remaining int64) {
	g.keys.quotas.SetRemaining(quota.Subject{PlanID: planID, KeyID: keyID}, remaining)
}

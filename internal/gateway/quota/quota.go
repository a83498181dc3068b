// Package quota counts requests against usage plan quotas: per API key
// and plan, per period (a UTC day, week or month, apigw.QuotaWindow), with
// the first period shortened by the quota's offset. A request over the
// quota gets 429 {"message":"Limit Exceeded"} from the data plane; this
// package only decides and counts.
//
// Registry is the seam for cluster mode, where a Redis implementation
// will share the counters between nodes. Memory is the single-node
// implementation: an atomic counter per key and plan, so counting is a
// few atomic operations and never a lock or a store call, persisted in
// batches (Flush, from a background loop and on shutdown) as one record
// per key, plan and UTC day — the same records GetUsage reports — so
// quotas survive a restart.
package quota

import (
	"context"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// Subject names one quota: an API key under a usage plan.
type Subject struct{ PlanID, KeyID string }

// Settings are a plan's quota and the time its initial period is
// anchored to (apigw.UsagePlan.QuotaAnchor).
type Settings struct {
	Quota  apigw.QuotaSettings
	Anchor time.Time
}

// Counter counts one subject's requests. Take is on the request path.
type Counter interface {
	// Take counts one request made at now (Unix nanoseconds, wall clock)
	// and reports whether the quota allowed it. A refused request is not
	// counted.
	Take(now int64) bool
}

// Registry hands out counters when a stage's key table is compiled and
// keeps them across recompiles.
type Registry interface {
	// Counter returns the subject's counter with settings q, creating it
	// on first use (restoring the current period from persisted usage)
	// and updating its settings in place afterwards.
	Counter(s Subject, q Settings) Counter
	// Retain drops the counters for which keep is false (keys removed
	// from plans, plans without a quota), after persisting them.
	Retain(keep func(Subject) bool)
	// SetRemaining sets the remaining quota of the subject's current
	// period (UpdateUsage).
	SetRemaining(s Subject, remaining int64)
	// Flush persists every counted request.
	Flush(ctx context.Context) error
}

// Persister is where Memory keeps usage between restarts: the store's
// usage records (store.UsageTx).
type Persister interface {
	// LoadUsage returns the subject's records with from <= Day <= to.
	LoadUsage(ctx context.Context, s Subject, from, to string) ([]store.UsageRecord, error)
	// SaveUsage creates or replaces records.
	SaveUsage(ctx context.Context, recs []store.UsageRecord) error
}

// DayLayout is the records' day format.
const DayLayout = "2006-01-02"

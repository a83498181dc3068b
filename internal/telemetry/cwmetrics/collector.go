// Package cwmetrics keeps API Gateway's CloudWatch metrics (namespace
// AWS/ApiGateway, data-plane.md §9) as one-minute aggregates with
// mergeable latency histograms, in an embedded SQLite file of their own
// ({data-dir}/metrics.db), and answers the statistics CloudWatch's
// ListMetrics, GetMetricStatistics and GetMetricData ask for.
//
// Why a file of its own: metric writes are frequent small upserts, and
// keeping them out of the configuration store and the log store means
// neither a busy log nor a config transaction ever waits on them; the
// retention janitor can delete and the size cap can be enforced without
// touching anything else.
//
// The request path does one non-blocking channel send per request
// (Collector.Record); a background goroutine folds samples into per-minute
// aggregates in memory and writes them every FlushInterval, merging with
// what the minute already holds. A full queue drops the sample and counts
// it (Dropped).
//
// What is stored is the stage-level series (ApiName, Stage — canary
// traffic again under Stage "{stage}/Canary") and, for methods with
// detailed metrics, the method series (ApiName, Stage, Method, Resource).
// The ApiName dimension set is the merge of an API's stage series at
// query time, so it needs no storage of its own and a deleted stage
// leaves it too. Series carry the REST API id (not a dimension) so that
// deleting a stage or API removes exactly its data (Retain).
package cwmetrics

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

// Defaults for Options.
const (
	DefaultRetention     = 15 * 24 * time.Hour
	DefaultMaxBytes      = 256 << 20
	DefaultMaxSeries     = 20000
	DefaultQueueSize     = 1 << 16
	DefaultFlushInterval = 10 * time.Second
)

// CanarySuffix is appended to the Stage dimension of canary traffic.
const CanarySuffix = "/Canary"

// Options configure a Collector.
type Options struct {
	// Path is the SQLite file; ":memory:"-like paths are not supported.
	Path string
	// Retention is how long minutes are kept (at least 15 days by
	// default, CloudWatch's retention of one-minute data).
	Retention time.Duration
	// MaxBytes caps the database's used pages; the oldest minutes go
	// first when it is exceeded.
	MaxBytes int64
	// MaxSeries caps the number of series; samples of new series beyond
	// it are dropped (counted).
	MaxSeries int
	// QueueSize bounds the samples waiting to be aggregated.
	QueueSize int
	// FlushInterval is how often aggregates are written.
	FlushInterval time.Duration
	// Now is the clock of retention; nil is time.Now. Samples are
	// bucketed by their request time, unless Now is set: then by Now at
	// Record, so a test's injected clock decides the minutes.
	Now func() time.Time
}

// SeriesKey names a stored series. APIID is not a CloudWatch dimension:
// it ties the series to the stage that produced it. Method and Resource
// are empty for stage series.
type SeriesKey struct {
	APIID, APIName, Stage, Method, Resource string
}

// StageID names a stage: lower-case REST API id and stage name.
type StageID struct{ APIID, Stage string }

// stageLife is shared by every series of one stage; dead is set when the
// stage is deleted so samples still in flight are dropped.
type stageLife struct{ dead atomic.Bool }

// Series is a handle on one series, resolved once per stage compile and
// kept by the recorder. Handles of one key are the same pointer.
type Series struct {
	key  SeriesKey
	life *stageLife
	id   int64 // database id; owned by the writer goroutine
}

// Key returns the series' key.
func (s *Series) Key() SeriesKey { return s.key }

// Collector aggregates samples and serves stored statistics.
type Collector struct {
	opts Options
	db   *db

	queue chan sample
	ctl   chan func()
	stop  chan struct{}
	done  chan struct{}
	close sync.Once

	dropped atomic.Uint64
	clocked bool // bucket by opts.Now

	mu     sync.Mutex
	series map[SeriesKey]*Series
	lives  map[StageID]*stageLife

	// Owned by the writer goroutine.
	pending   map[pendingKey]*[numMetrics]Stat
	lastTrim  time.Time
	seriesCnt int
}

type pendingKey struct {
	s      *Series
	minute int64
}

// sample is one request as the metrics see it.
type sample struct {
	stage, canary, method *Series
	minute                int64
	latency               float64 // ms
	integration           float64 // ms; negative: no integration call
	status                uint16
	cache                 telemetry.CacheResult
}

// Open opens (creating) the store and starts the writer.
func Open(opts Options) (*Collector, error) {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxSeries <= 0 {
		opts.MaxSeries = DefaultMaxSeries
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	clocked := opts.Now != nil
	if !clocked {
		opts.Now = time.Now
	}
	d, err := openDB(opts.Path)
	if err != nil {
		return nil, err
	}
	c := &Collector{
		opts:    opts,
		clocked: clocked,
		db:      d,
		queue:   make(chan sample, opts.QueueSize),
		ctl:     make(chan func()),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		series:  map[SeriesKey]*Series{},
		lives:   map[StageID]*stageLife{},
		pending: map[pendingKey]*[numMetrics]Stat{},
	}
	if c.seriesCnt, err = d.seriesCount(); err != nil {
		d.close()
		return nil, err
	}
	go c.run()
	return c, nil
}

// Close writes what is pending and closes the store.
func (c *Collector) Close() error {
	c.close.Do(func() { close(c.stop) })
	<-c.done
	return c.db.close()
}

// Dropped counts samples dropped: queue full, series cap reached, or a
// failed write.
func (c *Collector) Dropped() uint64 { return c.dropped.Load() }

// Stage returns the stage-level series of a stage (its canary series:
// stage name + CanarySuffix). apiName is the RestApi's name; it is
// cleaned of non-ASCII characters, as CloudWatch's ApiName dimension is.
func (c *Collector) Stage(apiID, apiName, stage string) *Series {
	return c.intern(SeriesKey{APIID: strings.ToLower(apiID), APIName: CleanAPIName(apiName), Stage: stage}, stage)
}

// Canary returns the canary series of a stage.
func (c *Collector) Canary(apiID, apiName, stage string) *Series {
	return c.intern(SeriesKey{APIID: strings.ToLower(apiID), APIName: CleanAPIName(apiName), Stage: stage + CanarySuffix}, stage)
}

// Method returns the detailed series of a method (verb and resource
// path, "/pets/{petId}") of a stage series.
func (c *Collector) Method(stage *Series, verb, resource string) *Series {
	k := stage.key
	k.Method, k.Resource = verb, resource
	return c.intern(k, strings.TrimSuffix(stage.key.Stage, CanarySuffix))
}

func (c *Collector) intern(k SeriesKey, baseStage string) *Series {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.series[k]; s != nil {
		return s
	}
	id := StageID{k.APIID, baseStage}
	life := c.lives[id]
	if life == nil {
		life = &stageLife{}
		c.lives[id] = life
	}
	s := &Series{key: k, life: life}
	c.series[k] = s
	return s
}

// Record counts one request in the stage series, the canary series
// (canary requests; nil otherwise) and the method series (detailed
// metrics; nil otherwise). It never blocks.
func (c *Collector) Record(stage, canary, method *Series, ev *telemetry.RequestEvent) {
	at := ev.RequestTime
	if at.IsZero() || c.clocked {
		at = c.opts.Now()
	}
	s := sample{
		stage: stage, canary: canary, method: method,
		minute:      at.Unix() / 60,
		latency:     float64(ev.ResponseLatency.Microseconds()) / 1000,
		integration: -1,
		status:      uint16(ev.Status),
		cache:       ev.Cache,
	}
	if ev.IntegrationCalled() {
		s.integration = float64(ev.IntegrationLatency.Microseconds()) / 1000
	}
	select {
	case c.queue <- s:
	default:
		c.dropped.Add(1)
	}
}

// Sync waits until every sample recorded before the call is written, so
// a query that follows sees it. Queries call it: CloudWatch's data is
// minutes old, ours is current.
func (c *Collector) Sync(ctx context.Context) error {
	errc := make(chan error, 1)
	return c.do(ctx, func() { errc <- c.flush() }, errc)
}

// Retain drops every series of a stage not in live, stored or pending,
// and makes samples still in flight for them count nothing. The gateway
// calls it with the stages it serves after each configuration change.
func (c *Collector) Retain(ctx context.Context, live map[StageID]bool) error {
	c.mu.Lock()
	for id, life := range c.lives {
		if !live[id] {
			life.dead.Store(true)
			delete(c.lives, id)
		}
	}
	for k, s := range c.series {
		if s.life.dead.Load() {
			delete(c.series, k)
		}
	}
	c.mu.Unlock()
	errc := make(chan error, 1)
	return c.do(ctx, func() {
		for k := range c.pending {
			if k.s.life.dead.Load() {
				delete(c.pending, k)
			}
		}
		n, err := c.db.deleteSeriesExcept(live)
		c.seriesCnt -= n
		errc <- err
	}, errc)
}

// do runs f on the writer goroutine and waits for its answer.
func (c *Collector) do(ctx context.Context, f func(), errc chan error) error {
	select {
	case c.ctl <- f:
	case <-c.done:
		return errors.New("cwmetrics: closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Collector) run() {
	defer close(c.done)
	tick := time.NewTicker(c.opts.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case s := <-c.queue:
			c.add(s)
		case f := <-c.ctl:
			c.drain()
			f()
		case <-tick.C:
			c.drain()
			if err := c.flush(); err != nil {
				slog.Warn("cwmetrics: writing metrics failed", "err", err)
			}
			c.janitor()
		case <-c.stop:
			c.drain()
			if err := c.flush(); err != nil {
				slog.Warn("cwmetrics: writing metrics failed", "err", err)
			}
			return
		}
	}
}

// drain aggregates what is queued now.
func (c *Collector) drain() {
	for {
		select {
		case s := <-c.queue:
			c.add(s)
		default:
			return
		}
	}
}

func (c *Collector) add(s sample) {
	c.addTo(s.stage, &s)
	if s.canary != nil {
		c.addTo(s.canary, &s)
	}
	if s.method != nil {
		c.addTo(s.method, &s)
	}
}

func (c *Collector) addTo(se *Series, s *sample) {
	if se == nil || se.life.dead.Load() {
		return
	}
	k := pendingKey{se, s.minute}
	st := c.pending[k]
	if st == nil {
		st = new([numMetrics]Stat)
		c.pending[k] = st
	}
	st[Count].add(1, false)
	st[Latency].add(s.latency, true)
	if s.integration >= 0 {
		st[IntegrationLatency].add(s.integration, true)
	}
	st[Error4XX].add(b2f(s.status >= 400 && s.status <= 499), false)
	st[Error5XX].add(b2f(s.status >= 500 && s.status <= 599), false)
	st[CacheHitCount].add(b2f(s.cache == telemetry.CacheHit), false)
	st[CacheMissCount].add(b2f(s.cache == telemetry.CacheMiss), false)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// flush writes the pending aggregates in one transaction.
func (c *Collector) flush() error {
	if len(c.pending) == 0 {
		return nil
	}
	var lost uint64
	err := c.db.write(func(w *writer) error {
		for k, st := range c.pending {
			if k.s.id == 0 {
				id, created, err := w.seriesID(k.s.key, c.seriesCnt < c.opts.MaxSeries)
				if err != nil {
					return err
				}
				if id == 0 { // over the series cap
					lost += st[Count].N
					continue
				}
				if created {
					c.seriesCnt++
				}
				k.s.id = id
			}
			for m := range numMetrics {
				if st[m].N == 0 {
					continue
				}
				if err := w.merge(k.s.id, m, k.minute, &st[m]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		for _, st := range c.pending {
			lost += st[Count].N
		}
	}
	c.dropped.Add(lost)
	clear(c.pending)
	return err
}

// janitor enforces retention and the size cap, at most once a minute.
func (c *Collector) janitor() {
	now := c.opts.Now()
	if now.Sub(c.lastTrim) < time.Minute {
		return
	}
	c.lastTrim = now
	n, err := c.db.trim(now.Add(-c.opts.Retention).Unix()/60, c.opts.MaxBytes)
	if n > 0 {
		// Emptied series rows are gone: handles look their ids up again.
		c.seriesCnt -= n
		c.mu.Lock()
		for _, s := range c.series {
			s.id = 0
		}
		c.mu.Unlock()
	}
	if err != nil {
		slog.Warn("cwmetrics: enforcing retention failed", "err", err)
	}
}

// CleanAPIName strips non-ASCII characters, as CloudWatch does for the
// ApiName dimension.
func CleanAPIName(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return strings.Map(func(r rune) rune {
				if r >= 0x80 {
					return -1
				}
				return r
			}, name)
		}
	}
	return name
}

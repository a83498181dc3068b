// Package recorder is what the data plane calls once per request: it
// counts the request in the metrics at once (a few atomic adds) and hands
// the event to a background goroutine that renders execution and access
// log lines and writes them to the log store in batches. The request
// path never waits on logging: the queue is bounded, and when it is full
// the event's log lines are dropped and counted
// (stagecoach_log_requests_dropped_total), never blocking.
//
// Wiring, for the gateway:
//
//	rec := recorder.New(recorder.Options{Logs: logStore, Metrics: reg})
//	defer rec.Close()                                  // flushes
//
//	// whenever a stage's configuration (or the API's name) changes:
//	st := rec.Stage(recorder.StageInfo{RestAPIID: id, APIName: api.Name, Stage: stage})
//	// per matched method (cached inside st; keep the pointer if you like):
//	m := st.Method(resource.Path, method.HTTPMethod)   // or st.Default() if none matched
//
//	// per request:
//	ev := rec.NewEvent()                               // pooled; or &telemetry.RequestEvent{}
//	... fill ev while serving; capture headers/bodies only if m.DataTrace() ...
//	rec.Record(m, ev)                                  // after the response is written
package recorder

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stagecoach/stagecoach/internal/telemetry"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
	"github.com/stagecoach/stagecoach/internal/telemetry/execlog"
	"github.com/stagecoach/stagecoach/internal/telemetry/logstore"
	"github.com/stagecoach/stagecoach/internal/telemetry/metrics"
)

// Defaults for Options.
const (
	DefaultQueueSize     = 16384
	DefaultBatchSize     = 1024
	DefaultFlushInterval = 100 * time.Millisecond
)

// Options configure a Recorder.
type Options struct {
	// Logs receives log lines; nil discards them (metrics still work).
	Logs *logstore.Store
	// Metrics receives request metrics; nil disables them.
	Metrics *metrics.Registry
	// CloudWatch receives the one-minute aggregates the CloudWatch API
	// and the console's dashboard read; nil disables them.
	CloudWatch *cwmetrics.Collector
	// Stdout, if set, also gets every log event as one JSON line:
	// {"logGroup":..,"logStream":..,"timestamp":..,"message":..}.
	Stdout io.Writer
	// QueueSize bounds the requests waiting to be logged.
	QueueSize int
	// BatchSize is the most requests rendered and written per store
	// transaction.
	BatchSize int
	// FlushInterval is how long a partial batch may wait for more
	// requests before it is written.
	FlushInterval time.Duration
	// StreamName names the log streams this instance writes; default a
	// random 32-hex-digit name per start, the shape of AWS's stream names.
	StreamName string
}

// Recorder records requests. Record is safe for concurrent use.
type Recorder struct {
	opts    Options
	metrics *metrics.Registry
	cw      *cwmetrics.Collector
	stream  string

	// names is the API name each compiled stage's metrics were labelled
	// with, for Retain.
	namesMu sync.Mutex
	names   map[cwmetrics.StageID]string

	queue   chan item
	stop    chan struct{}
	done    chan struct{}
	closing sync.Once
	dropped atomic.Uint64
	written atomic.Uint64

	pool sync.Pool
}

// item is a queued request, or a flush marker (ack != nil).
type item struct {
	m   *Method
	ev  *telemetry.RequestEvent
	ack chan struct{}
}

// New starts a recorder.
func New(opts Options) *Recorder {
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.StreamName == "" {
		var b [16]byte
		rand.Read(b[:])
		opts.StreamName = hex.EncodeToString(b[:])
	}
	r := &Recorder{
		opts:    opts,
		metrics: opts.Metrics,
		cw:      opts.CloudWatch,
		names:   map[cwmetrics.StageID]string{},
		stream:  opts.StreamName,
		queue:   make(chan item, opts.QueueSize),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	r.pool.New = func() any { return new(telemetry.RequestEvent) }
	if opts.Metrics != nil {
		opts.Metrics.Prometheus().MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "stagecoach_log_requests_dropped_total",
				Help: "Requests whose execution and access log lines were dropped: the log queue was full or the log store failed.",
			}, func() float64 { return float64(r.dropped.Load()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "stagecoach_log_events_written_total",
				Help: "Log events (execution and access log lines) written to the log store.",
			}, func() float64 { return float64(r.written.Load()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "stagecoach_log_queue_length",
				Help: "Requests waiting to be logged.",
			}, func() float64 { return float64(len(r.queue)) }),
		)
	}
	go r.run()
	return r
}

// StreamName is the log stream this recorder writes to in every group.
func (r *Recorder) StreamName() string { return r.stream }

// NewEvent returns a zeroed event from a pool. Record returns it to the
// pool once logged, so the caller must not touch it after Record.
func (r *Recorder) NewEvent() *telemetry.RequestEvent {
	return r.pool.Get().(*telemetry.RequestEvent)
}

func (r *Recorder) release(ev *telemetry.RequestEvent) {
	*ev = telemetry.RequestEvent{}
	r.pool.Put(ev)
}

// Record records a served request: metrics now, log lines in the
// background. It never blocks. It takes ownership of ev and of what ev
// references (header maps, bodies): the caller must not modify them
// afterwards. Passing r.Header and w.Header() is fine once the response
// is written, since net/http does not change them after the handler
// returns. m is the matched method's settings (Stage.Method) or
// Stage.Default(); a nil m records nothing.
func (r *Recorder) Record(m *Method, ev *telemetry.RequestEvent) {
	if m == nil || ev == nil {
		return
	}
	s := m.stage
	if s.metrics != nil {
		s.metrics.Observe(ev)
		if ev.Canary && s.canaryMetrics != nil {
			s.canaryMetrics.Observe(ev)
		}
		if m.detailed != nil {
			m.detailed.Observe(ev)
		}
	}
	if s.cw != nil {
		var canary *cwmetrics.Series
		if ev.Canary {
			canary = s.cwCanary
		}
		r.cw.Record(s.cw, canary, m.cwDetailed, ev)
	}
	if !m.Logged(execlog.Failed(ev)) {
		r.release(ev)
		return
	}
	select {
	case r.queue <- item{m: m, ev: ev}:
	default:
		r.dropped.Add(1)
		r.release(ev)
	}
}

// Dropped returns how many requests' log lines were dropped.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Flush waits until everything recorded before the call is written (for
// tests and orderly shutdown; it may block).
func (r *Recorder) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case r.queue <- item{ack: ack}:
	case <-r.done:
		return errors.New("recorder: closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes what is queued and stops the background goroutine.
// Records after Close are counted but not logged.
func (r *Recorder) Close() error {
	r.closing.Do(func() { close(r.stop) })
	<-r.done
	return nil
}

// run is the background writer: it collects up to BatchSize requests
// (waiting at most FlushInterval after the first) and writes them in one
// store transaction.
func (r *Recorder) run() {
	defer close(r.done)
	w := &batchWriter{r: r}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var first item
		select {
		case first = <-r.queue:
		case <-r.stop:
			r.drain(w)
			return
		}
		w.add(first)
		timer.Reset(r.opts.FlushInterval)
	collect:
		for w.n < r.opts.BatchSize && first.ack == nil {
			select {
			case it := <-r.queue:
				w.add(it)
				if it.ack != nil {
					break collect
				}
			case <-timer.C:
				break collect
			case <-r.stop:
				break collect
			}
		}
		timer.Stop()
		w.flush()
	}
}

// drain writes everything still queued at Close.
func (r *Recorder) drain(w *batchWriter) {
	for {
		select {
		case it := <-r.queue:
			w.add(it)
			if w.n >= r.opts.BatchSize {
				w.flush()
			}
		default:
			w.flush()
			return
		}
	}
}

// batchWriter renders queued requests into log events.
type batchWriter struct {
	r      *Recorder
	n      int // requests in the batch
	items  []item
	events []logstore.Event
	lines  int    // log events in events (records hold several)
	arena  []byte // the batch's rendered messages (see message)
	acks   []chan struct{}
	json   []byte
}

func (w *batchWriter) add(it item) {
	if it.ack != nil {
		w.acks = append(w.acks, it.ack)
		return
	}
	w.n++
	w.items = append(w.items, it)
}

func (w *batchWriter) flush() {
	r := w.r
	stream := r.stream
	for _, it := range w.items {
		ev, m := it.ev, it.m
		s := m.stage
		// A request's execution log lines share a timestamp and are
		// stored as one record (logstore.Sep between lines).
		var n int
		start := len(w.arena)
		w.arena, n = execlog.AppendRecord(w.arena, logstore.Sep, m.exec, ev)
		if n > 0 {
			msg, at := w.message(start), execlog.Time(ev)
			w.lines += n
			w.events = append(w.events, logstore.Event{Group: s.execGroup, Stream: stream, Time: at, Message: msg})
			if ev.Canary {
				w.lines += n
				w.events = append(w.events, logstore.Event{Group: s.execGroup + canarySuffix, Stream: stream, Time: at, Message: msg})
			}
		}
		if s.access != nil {
			start := len(w.arena)
			w.arena = s.access.Append(w.arena, ev)
			msg := w.message(start)
			at := ev.RequestTime.Add(ev.ResponseLatency).UnixMilli()
			w.lines++
			w.events = append(w.events, logstore.Event{Group: s.accessGroup, Stream: stream, Time: at, Message: msg})
			if ev.Canary {
				w.lines++
				w.events = append(w.events, logstore.Event{Group: s.accessGroup + canarySuffix, Stream: stream, Time: at, Message: msg})
			}
		}
		r.release(ev)
	}
	if len(w.events) > 0 {
		if r.opts.Logs != nil {
			if err := r.opts.Logs.Append(context.Background(), w.events); err != nil {
				r.dropped.Add(uint64(w.n))
				slog.Warn("telemetry: writing log events failed", "events", len(w.events), "err", err)
			} else {
				r.written.Add(uint64(w.lines))
			}
		}
		if r.opts.Stdout != nil {
			w.mirror()
		}
	}
	for _, a := range w.acks {
		close(a)
	}
	clear(w.items)
	clear(w.events)
	w.items, w.events, w.acks, w.n, w.lines = w.items[:0], w.events[:0], w.acks[:0], 0, 0
	// Nothing refers to the batch's messages any more: the store copied
	// them into its block, the mirror into its JSON.
	w.arena = w.arena[:0]
}

// message returns the bytes rendered into the arena from start on as a
// string without copying them. The arena is only appended to until the
// batch is written (a reallocation leaves earlier messages in the old
// array, which they keep alive), so the string stays unchanged for as
// long as the batch's events exist.
func (w *batchWriter) message(start int) string {
	if len(w.arena) == start {
		return ""
	}
	return unsafe.String(&w.arena[start], len(w.arena)-start)
}

// mirror writes the batch to Stdout as JSON lines, in one write.
func (w *batchWriter) mirror() {
	type line struct {
		LogGroup  string `json:"logGroup"`
		LogStream string `json:"logStream"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	w.json = w.json[:0]
	for _, e := range w.events {
		for msg := range strings.SplitSeq(e.Message, string(logstore.Sep)) {
			b, err := json.Marshal(line{e.Group, e.Stream, e.Time, msg})
			if err != nil {
				continue
			}
			w.json = append(append(w.json, b...), '\n')
		}
	}
	w.r.opts.Stdout.Write(w.json)
}

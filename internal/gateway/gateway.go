// Package gateway is the data plane: it serves invocations of deployed
// stages.
//
// Each stage is compiled into an immutable runtime snapshot — the routing
// tree of the deployment it points at, a pipeline per method with its
// integration plan, the stage variables already substituted, the canary —
// and all snapshots are published together in one table behind an
// atomic.Pointer. A request loads the table once and never takes a lock or
// touches the store. A committed store change names the APIs it touched; a
// background worker recompiles those APIs' stages and swaps the table
// (Caddy's order: build the new config completely, then switch).
package gateway

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/go-jose/go-jose/v4"

	"github.com/stagecoach/stagecoach/internal/gateway/quota"
	"github.com/stagecoach/stagecoach/internal/sigv4"
	"github.com/stagecoach/stagecoach/internal/store"
	"github.com/stagecoach/stagecoach/internal/telemetry/recorder"
	"github.com/stagecoach/stagecoach/internal/telemetry/tracing"
)

// Options configure the data plane.
type Options struct {
	// LambdaEndpoints maps a Lambda function ARN, or a bare function name,
	// to the base URL of a local runtime speaking the Lambda Runtime
	// Interface Emulator protocol (POST {base}/2015-03-31/functions/
	// function/invocations). AWS_PROXY integrations whose function is not
	// listed answer 502. The key "*" is used for any function not listed.
	LambdaEndpoints map[string]string
	// AWSEndpoints maps an AWS service name as integration ARNs spell it
	// ("sqs", "dynamodb", "bucket.s3" or "s3") to the base URL type AWS
	// integrations call (awsintegration.go); AWSCredentials sign those
	// calls. A service without an endpoint answers 500.
	AWSEndpoints   map[string]string
	AWSCredentials *aws.Credentials
	// Logger receives configuration warnings and integration failures;
	// nil means slog.Default().
	Logger *slog.Logger
	// SwitchWait is a safety net on how long a committed change waits for
	// the data plane to serve it before the control-plane call returns;
	// zero means 30s. The wait normally ends on the worker's word, not on
	// this clock: see onChange.
	SwitchWait time.Duration
	// CacheBytesPerGB scales a stage's cacheClusterSize (GB in AWS) to the
	// bytes of its in-process cache; zero means
	// respcache.DefaultBytesPerGB (16 MiB per GB, so "237" is about
	// 3.7 GiB). 1 << 30 gives AWS's sizes. Serve flag --cache-bytes-per-gb.
	CacheBytesPerGB int64
	// Clock, when set, drives throttle buckets and cache TTLs instead of
	// the real clock (tests: a *throttle.ManualClock).
	Clock interface{ Now() time.Time }
	// CanaryRand, when set, replaces the canary split's random draw (a
	// number in [0, 1)); tests pass a seeded generator. It is called
	// concurrently by requests.
	CanaryRand func() float64
	// Recorder, when set, records every invocation of an existing stage:
	// metrics, execution and access logs (telemetry.go).
	Recorder *recorder.Recorder
	// Tracing exports the spans of stages with tracingEnabled (serve
	// --otlp-endpoint); nil exports nothing, requests still get
	// X-Amzn-Trace-Id. TraceSampleRate (0..1) samples requests whose
	// caller did not decide (serve --trace-sample-rate).
	Tracing         *tracing.Exporter
	TraceSampleRate float64
	// Region is the region in method ARNs (authorizers); empty means
	// us-east-1.
	Region string
	// CognitoJWKS holds user pools' signing keys by pool id, for
	// COGNITO_USER_POOLS authorizers (LoadCognitoJWKS, serve
	// --cognito-jwks).
	CognitoJWKS map[string]*jose.JSONWebKeySet
	// IAMCredentials are the keys AWS_IAM methods accept signatures of
	// (serve --credentials); nil refuses every signature (iam.go).
	IAMCredentials *sigv4.Credentials
	// Quotas, when set, counts usage plan quotas instead of the
	// in-process counters (cluster mode: shared counters; apikeys.go).
	Quotas quota.Registry
}

// maxPayload is API Gateway's request payload limit (10 MB).
const maxPayload = 10 << 20

// Gateway serves stage invocations.
type Gateway struct {
	st    store.Store
	opts  Options
	log   *slog.Logger
	comp  *compiler
	table atomic.Pointer[table]

	proxy         *httputil.ReverseProxy // HTTP_PROXY over the shared transport
	insecureProxy *httputil.ReverseProxy // same, for tlsConfig.insecureSkipVerification
	transport     *http.Transport
	insecure      *http.Transport
	proxyFast     *h1Transport // HTTP_PROXY over plain http; falls back to transport

	iamVerifier *sigv4.Verifier // AWS_IAM methods (iam.go)

	domains *domainState // custom domain names' routing table (domains.go)

	state *stageState // throttle buckets, caches, counters: survive recompiles (stagestate.go)
	keys  *keyState   // API key tables, key throttles and quotas (apikeys.go)

	mu        sync.Mutex // guards the fields below; never taken by requests
	dirty     map[string]bool
	dirtyAll  bool
	requested uint64        // changes announced
	done      uint64        // changes compiled and published
	doneCh    chan struct{} // closed and replaced each time done advances
	wake      chan struct{}
	stop      chan struct{}
	stopped   chan struct{}
	cancelSub func()
}

// New returns a Gateway serving what st holds. It compiles every stage
// before returning and keeps the snapshots current as st changes.
func New(st store.Store, opts Options) (*Gateway, error) {
	g := &Gateway{
		st:      st,
		opts:    opts,
		log:     opts.Logger,
		dirty:   map[string]bool{},
		doneCh:  make(chan struct{}),
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	if g.opts.SwitchWait <= 0 {
		g.opts.SwitchWait = defaultSwitchWait
	}
	g.comp = &compiler{g: g, log: g.log}
	g.state = newStageState(g.opts)
	g.iamVerifier = &sigv4.Verifier{Credentials: g.opts.IAMCredentials}
	if opts.Clock != nil {
		g.iamVerifier.Now = opts.Clock.Now
	}
	g.keys = newKeyState(st, g.opts, g.log)
	g.transport = newTransport(false)
	g.insecure = newTransport(true)
	g.proxyFast = newH1Transport(g.transport)
	g.proxy = g.newReverseProxy(g.proxyFast)
	g.insecureProxy = g.newReverseProxy(g.insecure)
	g.table.Store(&table{apis: map[string]*apiRuntime{}})

	// Subscribe before the first compile so no change slips between them.
	g.domains = newDomainState(st)
	cancelKeys, cancelStages := st.Subscribe(g.keys.onChange), st.Subscribe(g.onChange)
	cancelDomains := st.Subscribe(func(ch store.Change) {
		if err := g.domains.onChange(ch); err != nil {
			g.log.Error("data plane: compiling custom domain names failed; still serving the previous ones", "error", err)
		}
	})
	g.cancelSub = func() { cancelKeys(); cancelStages(); cancelDomains() }
	if err := g.domains.compile(); err != nil {
		g.cancelSub()
		g.keys.close()
		return nil, err
	}
	if err := g.keys.compile(); err != nil {
		g.cancelSub()
		g.keys.close()
		return nil, err
	}
	if err := g.compileAll(); err != nil {
		g.cancelSub()
		g.keys.close()
		return nil, err
	}
	go g.run()
	return g, nil
}

// ServeInvoke implements frontdoor.Invoker. path is the escaped request
// path after the stage segment, "/" for the root resource.
func (g *Gateway) ServeInvoke(w http.ResponseWriter, r *http.Request, restAPIID, stage, path string) {
	g.serve(w, r, restAPIID, stage, path, false)
}

// serve invokes a stage; viaDomain is true for requests that came through
// a custom domain name (domains.go), which disableExecuteApiEndpoint does
// not close.
func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, restAPIID, stage, path string, viaDomain bool) {
	// From here on w is the invocation's writer, which adds the request
	// id headers to whatever response is written (recordingWriter).
	inv := getInvocation(w, r)
	defer g.finish(inv) // records the request, then putInvocation
	w = inv.w

	api := g.table.Load().apis[strings.ToLower(restAPIID)]
	if api == nil {
		respForbidden.write(inv)
		return
	}
	sr := api.stages[stage]
	if sr == nil {
		respForbidden.write(inv)
		return
	}
	inv.path = path
	g.observe(inv, sr) // from here on the response is recorded
	v := sr.pick()
	if v == nil {
		gr := noDeploymentResponse(stage)
		gr.write(inv)
		return
	}
	inv.canary = v.canary
	inv.variant = v // from here on errors use the deployment's gateway responses
	if v.disabled && !viaDomain {
		respForbidden.write(inv)
		return
	}
	n, params := v.root.route(path, inv.paramBuf[:0])
	if n == nil {
		respMissingAuthToken.write(inv)
		return
	}
	m := n.lookup(r.Method)
	if m == nil {
		respMissingAuthToken.write(inv)
		return
	}
	if r.ContentLength > maxPayload {
		respRequestTooLarge.write(inv)
		return
	}
	if r.ContentLength < 0 {
		// Unknown length (chunked): enforce the limit while reading.
		r.Body = http.MaxBytesReader(inv.rawWriter(), r.Body, maxPayload)
	}
	inv.method, inv.params = m, params
	m.serve(inv)
}

// Close stops background work and releases idle backend connections.
func (g *Gateway) Close() error {
	g.cancelSub()
	close(g.stop)
	<-g.stopped
	g.keys.close() // writes the last quota counts
	g.proxyFast.CloseIdleConnections()
	g.insecure.CloseIdleConnections()
	return nil
}

// defaultSwitchWait is SwitchWait's default: far above any compile, so
// that only a wedged worker ever reaches it.
const defaultSwitchWait = 30 * time.Second

// onChange is the store subscription. It marks the changed APIs for the
// worker, then waits until the worker has answered the change: published
// it, or given up on it after a failed compile (it keeps retrying in the
// background and the previous configuration stays served). The wait runs
// on the goroutine that committed the change — the control-plane call —
// so a client that gets the answer to create-deployment or update-stage
// can invoke the new configuration straight away, however loaded the
// machine: the wait ends on the worker's word, not on a clock (a wait of
// 100ms used to let a slow compile return update-stage before the stage's
// new cache settings were served, so the first request after it was
// answered by the old configuration and never filled the cache).
// SwitchWait stays as a safety net. The worker only reads the store, and
// the store has released its write lock before it calls subscribers, so
// waiting cannot deadlock.
func (g *Gateway) onChange(ch store.Change) {
	if len(ch.RestAPIIDs) == 0 && !ch.Account {
		return // nothing for the stage worker (API keys: keyState.onChange)
	}
	g.mu.Lock()
	for _, id := range ch.RestAPIIDs {
		g.dirty[strings.ToLower(id)] = true
	}
	// Account settings feed throttling (applyAccount): recompile everything.
	g.dirtyAll = g.dirtyAll || ch.Account
	g.requested++
	gen := g.requested
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
	g.waitPublished(gen, g.opts.SwitchWait)
}

// waitPublished waits until change number gen is served, or timeout.
func (g *Gateway) waitPublished(gen uint64, timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		g.mu.Lock()
		done, ch := g.done, g.doneCh
		g.mu.Unlock()
		if done >= gen {
			return true
		}
		select {
		case <-ch:
		case <-t.C:
			return false
		case <-g.stopped:
			return false
		}
	}
}

// run is the recompile worker.
func (g *Gateway) run() {
	defer close(g.stopped)
	for {
		select {
		case <-g.stop:
			return
		case <-g.wake:
		}
		for {
			g.mu.Lock()
			dirty, all, gen := g.dirty, g.dirtyAll, g.requested
			g.dirty, g.dirtyAll = map[string]bool{}, false
			g.mu.Unlock()
			if len(dirty) == 0 && !all {
				break // every change counted in requested marked something dirty (onChange)
			}
			var err error
			if all {
				err = g.compileAll()
			} else {
				err = g.compileAPIs(dirty)
			}
			if err != nil {
				// Keep serving the last good snapshot and retry shortly;
				// the changes' waiters are answered (see onChange).
				g.log.Error("data plane: recompiling stages failed; still serving the previous configuration", "error", err)
				g.mu.Lock()
				maps.Copy(g.dirty, dirty)
				g.dirtyAll = g.dirtyAll || all
				g.markDone(gen)
				g.mu.Unlock()
				select {
				case <-g.stop:
					return
				case <-time.After(200 * time.Millisecond):
				}
				continue
			}
			g.mu.Lock()
			g.markDone(gen)
			g.mu.Unlock()
		}
	}
}

// markDone records that changes up to gen are answered and wakes their
// waiters. g.mu is held.
func (g *Gateway) markDone(gen uint64) {
	if gen > g.done {
		g.done = gen
		close(g.doneCh)
		g.doneCh = make(chan struct{})
	}
}

// compileAll rebuilds the whole table from the store.
func (g *Gateway) compileAll() error {
	next := map[string]*apiRuntime{}
	err := g.st.View(context.Background(), func(tx store.Tx) error {
		if err := g.applyAccount(tx); err != nil {
			return err
		}
		apis, err := tx.RestAPIs()
		if err != nil {
			return err
		}
		for _, a := range apis {
			rt, err := g.comp.compileAPI(tx, a.ID)
			if err != nil {
				return err
			}
			if rt != nil {
				next[strings.ToLower(a.ID)] = rt
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	t := &table{apis: next}
	g.table.Store(t)
	g.state.prune(t)
	g.retainTelemetry(t)
	return nil
}

// compileAPIs recompiles some APIs and publishes a table that shares every
// other API with the current one.
func (g *Gateway) compileAPIs(ids map[string]bool) error {
	fresh := map[string]*apiRuntime{}
	err := g.st.View(context.Background(), func(tx store.Tx) error {
		for id := range ids {
			rt, err := g.comp.compileAPI(tx, id)
			if err != nil {
				return err
			}
			fresh[id] = rt
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Only the worker swaps the table, so load-copy-store is not racy.
	next := maps.Clone(g.table.Load().apis)
	for id, rt := range fresh {
		if rt == nil {
			delete(next, id)
		} else {
			next[id] = rt
		}
	}
	t := &table{apis: next}
	g.table.Store(t)
	g.state.prune(t)
	g.retainTelemetry(t)
	return nil
}

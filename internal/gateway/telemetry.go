package gateway

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
	"github.com/stagecoach/stagecoach/internal/telemetry/execlog"
	"github.com/stagecoach/stagecoach/internal/telemetry/recorder"
)

// Telemetry: every invocation of a stage that exists is recorded — metrics
// at once, execution and access log lines in the recorder's background
// writer (data-plane.md §7–9).
//
// Nothing is looked up per request: the recorder's stage and method
// handles are resolved when the stage is compiled (attachTelemetry) and
// reached through the snapshot (stageRuntime.tel, method.tel). While the
// request runs, the integrations note a few facts on the invocation
// (observation); the event is filled from the invocation once the
// response is written (finish). The parts of the event only a log line
// shows — paths, headers, query, parameters — are filled only when this
// request will be logged; bodies and header maps only with dataTrace.

// stageTelemetry is a stage's compiled telemetry, shared by its
// production and canary variants (AWS applies the stage's method settings
// to both, data-plane.md §6).
type stageTelemetry struct {
	rec     *recorder.Recorder
	apiID   string
	apiName string // the ApiName metrics are reported under
	name    string
	def     *methodTelemetry // "*/*": requests that matched no method
}

// methodTelemetry is one method's effective settings, resolved at compile
// time from the recorder's handle.
type methodTelemetry struct {
	m     *recorder.Method
	level execlog.Level
	trace bool // capture headers and bodies (dataTrace with logging on)
}

func newMethodTelemetry(m *recorder.Method) *methodTelemetry {
	return &methodTelemetry{m: m, level: m.ExecutionLogging().Level, trace: m.DataTrace()}
}

// attachTelemetry compiles the stage's telemetry and gives every compiled
// method (production and canary) its handle. Methods with dataTrace get
// their request body captured (traceRequestBody). It runs on the compile
// worker; without a recorder it does nothing and requests record nothing.
func (c *compiler) attachTelemetry(sr *stageRuntime, apiName string) {
	rec := c.g.opts.Recorder
	if rec == nil {
		return
	}
	rs := rec.Stage(recorder.StageInfo{RestAPIID: sr.apiID, APIName: apiName, Stage: sr.stage})
	st := &stageTelemetry{rec: rec, apiID: sr.apiID, apiName: apiName, name: sr.name, def: newMethodTelemetry(rs.Default())}
	sr.tel = st
	sr.eachMethod(func(m *method) {
		if m.tel != nil {
			return
		}
		// The method's own verb ("ANY" for ANY) is the methodSettings
		// key and the Method metric label.
		m.tel = newMethodTelemetry(rs.Method(m.resourcePath, m.verb))
		if m.tel.trace {
			m.serve = traceRequestBody(m.serve)
		}
	})
}

// retainTelemetry tells the recorder which stages the published table
// serves, so the metrics of deleted stages and APIs (and the old name of
// a renamed API) stop being reported. It runs on the compile worker.
func (g *Gateway) retainTelemetry(t *table) {
	rec := g.opts.Recorder
	if rec == nil {
		return
	}
	live := map[cwmetrics.StageID]string{}
	for _, api := range t.apis {
		for name, sr := range api.stages {
			if sr.tel != nil {
				live[cwmetrics.StageID{APIID: strings.ToLower(api.id), Stage: name}] = sr.tel.apiName
			}
		}
	}
	if err := rec.Retain(context.Background(), live); err != nil {
		g.log.Warn("data plane: dropping metrics of deleted stages failed", "error", err)
	}
}

// observation is what an invocation notes for its telemetry while it is
// served. It lives in the pooled invocation, so noting costs no
// allocation; tel is nil when the request is not recorded (no recorder,
// or no such stage).
type observation struct {
	tel  *stageTelemetry
	rw   recordingWriter
	body *tracedBody // dataTrace: the method request body

	integrationType    string
	integrationStart   time.Time
	integrationLatency time.Duration
	integrationStatus  int
	lambdaStatus       int    // AWS_PROXY: the invoke's own status
	backendContentType string // the integration response's Content-Type (binary.go)
	integrationError   string
	auth               authObservation // what the method's authorizer did (authtelemetry.go)

	// The endpoint request URI, kept unrendered: it is only logged at
	// INFO, so it is built (once) only then.
	endpointURL      *url.URL
	endpointTemplate *uriTemplate // direct HTTP_PROXY path
	endpointString   string

	// dataTrace only.
	endpointRequestHeader  http.Header
	endpointRequestBody    []byte
	endpointResponseHeader http.Header
	endpointResponseBody   []byte
	directRequest          bool // endpoint request headers are the direct path's
}

// observe starts recording a request to stage sr (its response already
// goes through the invocation's recordingWriter).
func (g *Gateway) observe(inv *invocation, sr *stageRuntime) {
	inv.obs.tel = sr.tel
}

// rawWriter is the connection's own writer, for http.MaxBytesReader
// (which reaches the server's response through an unexported interface).
func (inv *invocation) rawWriter() http.ResponseWriter {
	return inv.obs.rw.ResponseWriter
}

// finish records the request (after its response is written) and returns
// the invocation to its pool.
func (g *Gateway) finish(inv *invocation) {
	if inv.obs.tel != nil {
		inv.record()
	}
	putInvocation(inv)
}

func (inv *invocation) record() {
	ev, mt := inv.event()
	inv.obs.tel.rec.Record(mt.m, ev)
}

// event builds the request's telemetry event (record; test-invoke-method
// renders its log from it).
func (inv *invocation) event() (*telemetry.RequestEvent, *methodTelemetry) {
	o := &inv.obs
	st := o.tel
	mt := st.def
	if inv.method != nil && inv.method.tel != nil {
		mt = inv.method.tel
	}
	ev := st.rec.NewEvent()
	ev.RequestTime = inv.start
	ev.ResponseLatency = time.Since(inv.start)
	ev.Status = o.rw.status
	ev.ResponseLength = o.rw.n
	ev.Canary = inv.canary
	ev.XRayTraceID = inv.xrayTraceID()
	switch inv.cache {
	case cacheHit:
		ev.Cache = telemetry.CacheHit
	case cacheMiss:
		ev.Cache = telemetry.CacheMiss
	}
	if gw := o.rw.gw; gw != nil {
		ev.ErrorResponseType, ev.ErrorMessage = gw.telemetry()
		ev.ValidationErrorString = gw.validation
	} else if inv.throttled {
		ev.ErrorResponseType, ev.ErrorMessage = telemetry.ResponseThrottled, "Too Many Requests"
	}
	ev.IntegrationType = o.integrationType
	ev.IntegrationStatus = o.integrationStatus
	ev.IntegrationCallStatus = o.lambdaStatus
	ev.IntegrationLatency = o.integrationLatency
	ev.IntegrationError = o.integrationError
	// Only a request that leaves log lines needs more than the metric
	// fields (the recorder's own rule).
	if mt.m.Logged(execlog.Failed(ev)) {
		inv.fillForLogs(ev, mt)
	}
	return ev, mt
}

// fillForLogs adds what only log lines show.
func (inv *invocation) fillForLogs(ev *telemetry.RequestEvent, mt *methodTelemetry) {
	o, r := &inv.obs, inv.r
	ev.AccountID = accountID
	ev.APIID = o.tel.apiID
	ev.Stage = o.tel.name
	if inv.variant != nil {
		ev.DeploymentID = inv.variant.deploymentID
	}
	ev.RequestID = inv.requestID()
	ev.ExtendedRequestID = inv.extendedID()
	inv.fillAuthForLogs(ev)
	ev.HTTPMethod = r.Method
	ev.Path = "/" + o.tel.name + inv.path
	ev.Protocol = r.Proto
	ev.DomainName = r.Host
	ev.Identity.SourceIP = clientIP(r)
	ev.Identity.UserAgent = r.UserAgent()
	if k := &inv.apiKey; k.required {
		ev.APIKeyRequired, ev.Identity.APIKey = true, k.value
		if k.grant != nil {
			ev.Identity.APIKeyID = k.grant.keyID
		}
	}
	ev.RawQuery = r.URL.RawQuery
	ev.Headers = r.Header
	if m := inv.method; m != nil {
		ev.ResourceID, ev.ResourcePath = m.resourceID, m.resourcePath
		if mt.level == execlog.Info && len(inv.params) > 0 {
			ev.PathParams = make([]telemetry.Param, len(inv.params))
			for i, p := range inv.params {
				ev.PathParams[i] = telemetry.Param{Name: p.name, Value: p.value()}
			}
		}
	}
	if mt.level == execlog.Info {
		switch {
		case o.endpointURL != nil:
			ev.EndpointRequestURI = o.endpointURL.String()
		case o.endpointTemplate != nil:
			ev.EndpointRequestURI = o.endpointTemplate.build(inv, r.URL.RawQuery).String()
		default:
			ev.EndpointRequestURI = o.endpointString
		}
	}
	if !mt.trace {
		return
	}
	if o.body != nil {
		ev.Body = o.body.captured()
	}
	ev.ResponseHeaders = o.rw.Header()
	ev.ResponseBody = o.rw.body
	if gw := o.rw.gw; gw != nil {
		// Also for requests that matched no method, whose bodies nothing
		// captured: the gateway response's body is known.
		ev.ResponseBody = gw.body
	}
	ev.EndpointRequestHeaders = o.endpointRequestHeader
	if o.directRequest {
		ev.EndpointRequestHeaders = directRequestHeaders(r)
	}
	ev.EndpointRequestBody = o.endpointRequestBody
	ev.EndpointResponseHeaders = o.endpointResponseHeader
	ev.EndpointResponseBody = o.endpointResponseBody
	if o.integrationType == httpProxyType {
		// HTTP_PROXY relays both bodies unchanged.
		ev.EndpointRequestBody, ev.EndpointResponseBody = ev.Body, ev.ResponseBody
	}
}

// Integration types as the execution log and $context name them.
const (
	httpProxyType = "HTTP_PROXY"
	httpType      = "HTTP"
	lambdaType    = "AWS_PROXY"
	mockType      = "MOCK"
)

// The integrations note their backend call with these. Each is a few
// stores, and nothing when the request is not recorded.

// integrationStarted notes that the backend call of kind (the integration
// type) starts now.
func (inv *invocation) integrationStarted(kind string) {
	if o := &inv.obs; o.tel != nil {
		o.integrationType, o.integrationStart = kind, time.Now()
	}
}

// integrationAnswered notes the backend's response: status, headers and
// (non-proxy integrations, which read it whole) body.
func (inv *invocation) integrationAnswered(status int, h http.Header, body []byte) {
	inv.obs.backendContentType = h.Get("Content-Type") // binary.go decides on it
	if o := &inv.obs; o.tel != nil {
		o.integrationLatency = time.Since(o.integrationStart)
		o.integrationStatus = status
		if inv.tracing() {
			o.endpointResponseHeader, o.endpointResponseBody = h, body
		}
	}
}

// lambdaResult notes the status a Lambda proxy function returned: it is
// $context.integration.status, while the invoke's own status (noted by
// integrationAnswered) stays $context.integrationStatus.
func (inv *invocation) lambdaResult(status int) {
	if o := &inv.obs; o.tel != nil {
		o.lambdaStatus, o.integrationStatus = o.integrationStatus, status
	}
}

// mockAnswered notes a MOCK integration, which calls no backend.
func (inv *invocation) mockAnswered() { inv.obs.integrationType = mockType }

// directProxyStarted notes the start of a direct-path HTTP_PROXY call
// (directproxy.go), whose URL and headers are only rebuilt if logged.
func (inv *invocation) directProxyStarted(t *uriTemplate) {
	if o := &inv.obs; o.tel != nil {
		o.integrationType, o.integrationStart = httpProxyType, time.Now()
		o.endpointTemplate, o.directRequest = t, true
	}
}

// proxyResponse is ReverseProxy's ModifyResponse for HTTP_PROXY: AWS's
// header remapping, and the backend's answer noted for telemetry.
func proxyResponse(resp *http.Response) error {
	if inv, ok := resp.Request.Context().Value(invocationKey{}).(*invocation); ok {
		inv.integrationAnswered(resp.StatusCode, resp.Header, nil)
	}
	return remapBackendHeaders(resp)
}

// integrationFailed notes why the backend call failed.
func (inv *invocation) integrationFailed(why string) {
	if o := &inv.obs; o.tel != nil {
		if !o.integrationStart.IsZero() && o.integrationLatency == 0 {
			o.integrationLatency = time.Since(o.integrationStart)
		}
		o.integrationError = why
	}
}

// tracing reports whether this request captures headers and bodies.
func (inv *invocation) tracing() bool {
	return inv.obs.tel != nil && inv.method != nil && inv.method.tel != nil && inv.method.tel.trace
}

// endpointRequest notes the outbound URL and, when tracing, its headers
// and body (HTTP, HTTP_PROXY through ReverseProxy).
func (inv *invocation) endpointRequest(u *url.URL, h http.Header, body []byte) {
	if o := &inv.obs; o.tel != nil {
		o.endpointURL = u
		if inv.tracing() {
			o.endpointRequestHeader, o.endpointRequestBody = h, body
		}
	}
}

// noteGatewayResponse remembers which gateway response answered, for
// $context.error.* and the execution log. w is the invocation's writer,
// possibly wrapped (the cache's capture writer).
func noteGatewayResponse(w http.ResponseWriter, gr *gatewayResponse) {
	for {
		if rw, ok := w.(*recordingWriter); ok {
			rw.gw = gr
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// telemetry returns the response's type and message ($context.error.*).
func (gr *gatewayResponse) telemetry() (typ, msg string) {
	return gr.typ.String(), gr.message
}

// recordingWriter is every invocation's writer (pooled with it). It adds
// the request id headers to the response — when its header map is first
// used, so a response written prepared (prepared.go) needs no map — and
// notes the status and length for telemetry, and with dataTrace the
// first MaxTracedBody bytes of the body.
type recordingWriter struct {
	http.ResponseWriter
	inv    *invocation
	idsSet bool // the id headers are in the header map
	status int
	n      int64
	gw     *gatewayResponse // the gateway response sent, if any
	trace  bool
	body   []byte
}

// Header returns the response's header map, with the request ids in it.
func (w *recordingWriter) Header() http.Header {
	h := w.ResponseWriter.Header()
	if !w.idsSet {
		w.idsSet = true
		w.inv.setIDHeaders(h)
	}
	return h
}

func (w *recordingWriter) WriteHeader(code int) {
	if !w.idsSet {
		w.Header()
	}
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if !w.idsSet {
		w.Header()
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.trace && len(w.body) < telemetry.MaxTracedBody {
		// Sized to what is kept: most bodies are far below the limit.
		w.body = append(w.body, b[:min(len(b), telemetry.MaxTracedBody-len(w.body))]...)
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// setIDHeaders puts x-amzn-RequestId and x-amz-apigw-id into h. The map
// outlives the request (telemetry, the server), so the values are
// strings of their own, not views of the pooled invocation.
func (inv *invocation) setIDHeaders(h http.Header) {
	inv.idStrings()
	vals := inv.idVals.vals[:] // capacity-limited: an Add copies
	h["X-Amzn-Requestid"] = vals[0:1:1]
	h["X-Amz-Apigw-Id"] = vals[1:2:2]
}

// Unwrap lets http.ResponseController reach the connection (flushes of
// streamed responses, upgrades).
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// traceRequestBody wraps a dataTrace method's pipeline so its request
// body (the first MaxTracedBody bytes) and response body are captured as
// they are read and written.
func traceRequestBody(next handler) handler {
	return func(inv *invocation) {
		if o := &inv.obs; o.tel != nil {
			o.rw.trace = true
			if r := inv.r; r.Body != nil && r.Body != http.NoBody {
				o.body = &tracedBody{ReadCloser: r.Body}
				r.Body = o.body
			}
		}
		next(inv)
	}
}

// tracedBody keeps the first MaxTracedBody bytes read from a request body.
// A proxied body may still be read by the transport after the response
// (a backend can answer before reading it all), so the captured length is
// published atomically and bytes below it are never written again.
type tracedBody struct {
	io.ReadCloser
	buf [telemetry.MaxTracedBody]byte
	n   atomic.Int32
}

func (b *tracedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if have := int(b.n.Load()); have < len(b.buf) && n > 0 {
		c := copy(b.buf[have:], p[:n])
		b.n.Store(int32(have + c))
	}
	return n, err
}

func (b *tracedBody) captured() []byte { return b.buf[:b.n.Load()] }

// directRequestHeaders rebuilds the headers the direct HTTP_PROXY path
// wrote (exchange), for dataTrace only.
func directRequestHeaders(r *http.Request) http.Header {
	h := make(http.Header, len(r.Header)+3)
	connHeaders := r.Header["Connection"]
	for k, vs := range r.Header {
		if forwardedToBackend(k, connHeaders) {
			h[k] = vs
		}
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		h["X-Forwarded-For"] = []string{host}
	}
	h["X-Forwarded-Host"] = []string{r.Host}
	h["X-Forwarded-Proto"] = []string{forwardedProto(r)}
	return h
}

package gateway

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/telemetry/execlog"
	"github.com/stagecoach/stagecoach/internal/telemetry/recorder"
)

// TestInvoke runs one request through a method as the API is configured
// now (TestInvokeMethod): snap is the current definition, compiled here
// into a throwaway variant of stage "test-invoke-stage" with the request's
// stage variables, logged at INFO with data trace into the returned log
// text (AWS's test-invoke format) instead of a log group. The deployed
// stages are not touched.
func (g *Gateway) TestInvoke(ctx context.Context, apiID string, snap *apigw.Snapshot, resourceID, verb string, in apigw.TestInvokeRequest) (*apigw.TestInvokeResult, error) {
	stage := &apigw.Stage{StageName: apigw.TestInvokeStage, Variables: in.StageVariables,
		// AWS does not throttle test invocations: -1 is "no limit".
		MethodSettings: map[string]apigw.MethodSetting{apigw.WildcardMethodKey: {LoggingLevel: "INFO", DataTraceEnabled: true,
			ThrottlingRateLimit: -1, ThrottlingBurstLimit: -1}}}
	v := g.comp.compileVariant(apiID, stage, &apigw.Deployment{ID: "test-invoke-deployment", Snapshot: snap}, in.StageVariables, false)
	var target *method
	walkMethods(v.root, func(m *method) {
		if m.resourceID == resourceID && m.verb == verb {
			target = m
		}
	})
	if target == nil {
		return nil, apigw.NotFound(apigw.MsgInvalidMethod)
	}

	pathPart, rawQuery, _ := strings.Cut(in.PathWithQueryString, "?")
	if pathPart == "" {
		pathPart = target.resourcePath // no path given: the resource's own
	}
	clientVerb := verb
	if verb == "ANY" {
		clientVerb = http.MethodGet
	}
	u := &url.URL{Path: "/" + apigw.TestInvokeStage + pathPart, RawQuery: rawQuery}
	if p, err := url.PathUnescape(pathPart); err == nil {
		u.Path, u.RawPath = "/"+apigw.TestInvokeStage+p, "/"+apigw.TestInvokeStage+pathPart
	}
	r, err := http.NewRequestWithContext(ctx, clientVerb, u.String(), bytes.NewReader([]byte(in.Body)))
	if err != nil {
		return nil, apigw.BadRequest("Invalid path specified: %s", in.PathWithQueryString)
	}
	r.RemoteAddr = "127.0.0.1:0"
	r.Host = apiID + ".execute-api.test-invoke"
	for k, vs := range in.MultiValueHeaders {
		for _, val := range vs {
			r.Header.Add(k, val)
		}
	}
	for k, val := range in.Headers {
		r.Header.Set(k, val)
	}

	rec := recorder.New(recorder.Options{}) // settings and events only: nothing is written
	defer rec.Close()
	rs := rec.Stage(recorder.StageInfo{RestAPIID: apiID, Stage: stage})
	w := &methodTestWriter{header: http.Header{}}
	inv := getInvocation(w, r)
	defer putInvocation(inv)
	inv.obs.tel = &stageTelemetry{rec: rec, apiID: apiID, name: stage.StageName, def: newMethodTelemetry(rs.Default())}
	target.tel = newMethodTelemetry(rs.Method(target.resourcePath, target.verb))
	inv.variant, inv.method, inv.path = v, target, pathPart
	// Path parameters: the path routed to the method, or none.
	if n, params := v.root.route(pathPart, inv.paramBuf[:0]); n != nil && n.lookup(clientVerb) == target {
		inv.params = params
	}
	traceRequestBody(target.serve)(inv)

	ev, mt := inv.event()
	latency := time.Since(inv.start)
	lines := execlog.Append(nil, execlog.Settings{Level: execlog.Info, DataTrace: mt.trace}, ev)
	out := &apigw.TestInvokeResult{
		Status:            w.status,
		Body:              w.body.String(),
		Headers:           map[string]string{},
		MultiValueHeaders: map[string][]string{},
		Log:               testInvokeLog(inv.requestID(), inv.start, lines),
		Latency:           latency.Milliseconds(),
	}
	for k, vs := range w.header {
		switch k {
		case "Content-Length", "X-Amzn-Requestid", "X-Amz-Apigw-Id":
			continue // AWS's test invocation reports neither
		}
		out.Headers[k] = strings.Join(vs, ",")
		out.MultiValueHeaders[k] = slices.Clone(vs)
	}
	return out, nil
}

// testInvokeLog renders execution log lines the way TestInvokeMethod
// returns them: a title line, then "{date} : {message}" per line, dates
// as Java prints them ("Wed Dec 02 13:55:02 UTC 2026"). The per-stage
// lines AWS does not show in a test (extended request id, usage plan
// checks) are left out.
func testInvokeLog(requestID string, at time.Time, lines []execlog.Line) string {
	var b strings.Builder
	b.WriteString("Execution log for request " + requestID + "\n")
	date := at.UTC().Format("Mon Jan 02 15:04:05 MST 2006")
	started := false
	for _, l := range lines {
		msg := strings.TrimPrefix(l.Message, "("+requestID+") ")
		if !started && !strings.HasPrefix(msg, "Starting execution for request") {
			continue
		}
		started = true
		b.WriteString(date + " : " + msg + "\n")
	}
	return b.String()
}

// methodTestWriter keeps a test invocation's response in memory.
type methodTestWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *methodTestWriter) Header() http.Header { return w.header }

func (w *methodTestWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *methodTestWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

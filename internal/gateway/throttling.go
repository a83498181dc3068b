package gateway

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/gateway/throttle"
	"github.com/stagecoach/stagecoach/internal/store"
)

// THROTTLED (data-plane.md §4, §10): 429 with AWS's body. The
// x-amzn-ErrorType value is unverified against AWS (the spec marks it U);
// it follows the spec's table.
var respThrottled = newGatewayResponse(gtThrottled, http.StatusTooManyRequests, "ThrottlingException",
	`{"message":"Too Many Requests"}`)

// The 429's header values, built once: under a flood every rejection
// shares them (read-only; each is capacity-limited, so an Add elsewhere
// copies rather than writes into them), and its header lines for
// WritePrepared.
var (
	throttledContentType = []string{"application/json"}
	throttledErrorType   = []string{respThrottled.errorType}
	throttledLength      = []string{strconv.Itoa(len(respThrottled.body))}
	throttledFields      = []byte("Content-Type: application/json\r\nX-Amzn-Errortype: " + respThrottled.errorType + "\r\n")
)

// writeThrottled is respThrottled.write without allocating when the API
// does not customize THROTTLED: prepared on h1serve, else through the
// header map with shared values.
func writeThrottled(inv *invocation) {
	if inv.variant.customResponse(gtThrottled) != nil {
		respThrottled.write(inv)
		return
	}
	if inv.writePrepared(respThrottled.status, throttledFields, respThrottled.body) {
		return
	}
	w := inv.w
	h := w.Header()
	h["Content-Type"] = throttledContentType[:1:1]
	h["X-Amzn-Errortype"] = throttledErrorType[:1:1]
	h["Content-Length"] = throttledLength[:1:1]
	w.WriteHeader(respThrottled.status)
	w.Write(respThrottled.body)
}

// zeroThrottle stands for "no account settings stored": AccountLimit maps
// it to AWS's defaults (10000 requests/s, burst 5000).
var zeroThrottle apigw.ThrottleSettings

// applyAccount sets the account-level limit from the stored account. It
// runs in every full recompile, which is what an account change triggers
// (store.Change.Account), so new account limits apply within the same
// bounded wait as an update-stage. The account bucket is changed in
// place: its tokens survive.
func (g *Gateway) applyAccount(tx store.Tx) error {
	a, err := tx.Account()
	if err != nil {
		return err
	}
	ts := zeroThrottle
	if a != nil {
		ts = a.ThrottleSettings
	}
	g.state.limits.SetAccountLimit(throttle.AccountLimit(ts))
	return nil
}

// throttleStep is a method's first pipeline step: its method bucket (the
// method's own methodSettings entry, else the stage's "*/*", AWS's
// precedence) chained with the account bucket. The buckets live in the
// gateway's throttle.Set, keyed by stage and method, so a recompile after
// update-stage changes this method's limit in place — effective at once,
// even before the new snapshot is published — and leaves every other
// bucket's tokens alone. Production and canary variants of a stage get the
// same buckets: AWS applies the stage's method settings to canary traffic.
//
// A throttled request is answered here: it never reaches the cache or the
// integration.
func (c *compiler) throttleStep(v *variant, m *method) step {
	lim := c.g.state.limits.Limiter(throttle.Scope{
		RestAPIID: strings.ToLower(v.apiID), Stage: v.stageName, Method: m.settingKey,
	}, throttle.MethodLimit(v.stage, m.resourcePath, m.verb))
	counters := c.g.state.countersFor(v.apiID, v.stageName)
	return func(next handler) handler {
		return func(inv *invocation) {
			if !lim.Allow() {
				inv.throttled = true
				counters.throttled.Add(1)
				writeThrottled(inv)
				return
			}
			next(inv)
		}
	}
}

package gateway

import (
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

// authObservation is what a request's authorizer did, for
// $context.authorizer.* in access logs and the execution log's
// authorizer lines. It lives in the pooled invocation.
type authObservation struct {
	id        string // the authorizer's id; "" when none ran
	began     time.Time
	latency   time.Duration // $context.authorizer.latency
	cached    bool          // answered from the stage's cache
	fnLatency time.Duration // $context.authorizer.integrationLatency
	fnStatus  int           // $context.authorizer.integrationStatus
	status    int           // $context.authorizer.status
	errMsg    string        // $context.authorizer.error
}

// start notes that authorizer id starts; only recorded requests pay for
// the clock readings.
func (a *authObservation) start(inv *invocation, id string) {
	if inv.obs.tel == nil {
		return
	}
	a.id = id
	a.began = time.Now()
}

// called notes the function call's latency and whether it answered.
func (a *authObservation) called(d time.Duration, refusal *gatewayResponse) {
	a.fnLatency = d
	a.fnStatus = 200
	if refusal == &respAuthorizerConfig {
		a.fnStatus = 500
	}
}

// done notes the authorizer's outcome: the status the caller got from it
// (200 when authorized) and the refusal's message.
func (a *authObservation) done(inv *invocation) {
	if a.id == "" {
		return
	}
	a.latency = time.Since(a.began)
	a.status = 200
	if gw := inv.obs.rw.gw; gw != nil {
		a.status, a.errMsg = gw.status, gw.message
	}
}

// fillAuthForLogs copies the caller's identity and the authorizer's
// outcome into the event.
func (inv *invocation) fillAuthForLogs(ev *telemetry.RequestEvent) {
	if a := inv.auth; a != nil {
		ev.Authorizer.PrincipalID = a.principalID
		ev.Authorizer.Context = a.context
		ev.Authorizer.Claims = a.claims
		ev.Identity.AccessKey = a.accessKey
		ev.Identity.Caller = a.caller
		ev.Identity.User = a.user
		ev.Identity.UserArn = a.userArn
		ev.Identity.AccountID = a.accountID
	}
	if o := &inv.obs.auth; o.id != "" {
		ev.Authorizer.ID, ev.Authorizer.Cached = o.id, o.cached
		ev.Authorizer.Latency = o.latency
		ev.Authorizer.Status = o.status
		ev.Authorizer.Error = o.errMsg
		ev.Authorizer.IntegrationLatency = o.fnLatency
		ev.Authorizer.IntegrationStatus = o.fnStatus
		ev.Authorizer.RequestID = inv.requestID()
	}
}

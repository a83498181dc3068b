package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/frontdoor"
	"github.com/stagecoach/stagecoach/internal/gateway/throttle"
	"github.com/stagecoach/stagecoach/internal/store"
	"github.com/stagecoach/stagecoach/internal/store/sqlite"
)

const (
	goodKey     = "good-key-value-0123456789"
	disabledKey = "disabled-key-value-01234"
	strayKey    = "stray-key-value-0123456789"
)

// keyFixture deploys API "kapi" to stages prod and test: GET /pets needs a
// key, GET /open does not. Keys: good (in plan p, bound to prod),
// disabled (in p, disabled), stray (enabled, in no plan).
func keyFixture(t testing.TB, e *testEnv, plan *apigw.UsagePlan) {
	t.Helper()
	b := newAPIBuilder("kapi")
	b.method("/pets", "GET", mockIntegration("200", `{"ok":true}`)).APIKeyRequired = true
	b.method("/open", "GET", mockIntegration("200", `{"open":true}`))
	e.deploy(b, "prod", nil)
	e.deploy(b, "test", nil)
	if plan.ID == "" {
		plan.ID = "p"
	}
	plan.Name = "plan"
	plan.APIStages = append(plan.APIStages, apigw.APIStage{APIID: "kapi", Stage: "prod"})
	e.update(func(tx store.Tx) error {
		for i, v := range []string{goodKey, disabledKey, strayKey} {
			k := &apigw.APIKey{ID: []string{"kgood", "kdis", "kstray"}[i], Value: v, Enabled: v != disabledKey}
			if err := tx.PutAPIKey(k); err != nil {
				return err
			}
		}
		if err := tx.PutUsagePlan(plan); err != nil {
			return err
		}
		if err := tx.PutUsagePlanKey(plan.ID, "kgood"); err != nil {
			return err
		}
		return tx.PutUsagePlanKey(plan.ID, "kdis")
	})
}

func withKey(v string) http.Header { return http.Header{"X-Api-Key": {v}} }

func expectStatus(t *testing.T, e *testEnv, stage, path string, h http.Header, status int, body string) {
	t.Helper()
	code, got, _ := e.get("kapi", stage, path, h)
	if code != status || got != body {
		t.Fatalf("%s %s: got %d %s, want %d %s", stage, path, code, got, status, body)
	}
}

const (
	forbidden   = `{"message":"Forbidden"}`
	tooMany     = `{"message":"Too Many Requests"}`
	limitExceed = `{"message":"Limit Exceeded"}`
	petsOK      = `{"ok":true}`
)

func TestAPIKeyAdmission(t *testing.T) {
	e := newTestEnv(t, Options{})
	keyFixture(t, e, &apigw.UsagePlan{})
	resp := e.invoke("GET", "kapi", "prod", "/pets", nil, nil)
	expectGatewayError(t, resp, 403, "ForbiddenException", forbidden)
	for _, tc := range []struct {
		name, stage string
		h           http.Header
		status      int
		body        string
	}{
		{"unknown key", "prod", withKey("no-such-key-0123456789"), 403, forbidden},
		{"disabled key", "prod", withKey(disabledKey), 403, forbidden},
		{"key in no plan", "prod", withKey(strayKey), 403, forbidden},
		{"plan not bound to the stage", "test", withKey(goodKey), 403, forbidden},
		{"lower-case header name", "prod", http.Header{"x-api-key": {goodKey}}, 200, petsOK},
		{"valid key", "prod", withKey(goodKey), 200, petsOK},
		{"method without apiKeyRequired", "test", nil, 200, `{"open":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.h
			path := "/pets"
			if tc.name == "method without apiKeyRequired" {
				path = "/open"
			}
			expectStatus(t, e, tc.stage, path, h, tc.status, tc.body)
		})
	}
	// Enabling the key takes effect with the change, no redeploy.
	e.update(func(tx store.Tx) error {
		k, _ := tx.APIKey("kdis")
		k.Enabled = true
		return tx.PutAPIKey(k)
	})
	expectStatus(t, e, "prod", "/pets", withKey(disabledKey), 200, petsOK)
	// Removing the stage from the plan shuts the key out.
	e.update(func(tx store.Tx) error {
		p, _ := tx.UsagePlan("p")
		p.APIStages = nil
		return tx.PutUsagePlan(p)
	})
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 403, forbidden)
}

func TestAPIKeyThrottle(t *testing.T) {
	clk := throttle.NewManualClock(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
	e := newTestEnv(t, Options{Clock: clk})
	keyFixture(t, e, &apigw.UsagePlan{Throttle: &apigw.ThrottleSettings{RateLimit: 1, BurstLimit: 2}})
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 200, petsOK)
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 200, petsOK)
	resp := e.invoke("GET", "kapi", "prod", "/pets", nil, withKey(goodKey))
	expectGatewayError(t, resp, 429, "ThrottlingException", tooMany)
	// The bucket is per key: another key of the plan has its own.
	e.update(func(tx store.Tx) error {
		k, _ := tx.APIKey("kdis")
		k.Enabled = true
		return tx.PutAPIKey(k)
	})
	expectStatus(t, e, "prod", "/pets", withKey(disabledKey), 200, petsOK)
	clk.Advance(time.Second)
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 200, petsOK)
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 429, tooMany)

	// A per-method throttle in the plan applies first; the plan's still
	// applies too.
	e.update(func(tx store.Tx) error {
		p, _ := tx.UsagePlan("p")
		p.Throttle = &apigw.ThrottleSettings{RateLimit: 100, BurstLimit: 100}
		p.APIStages[0].Throttle = map[string]apigw.ThrottleSettings{"/pets/GET": {RateLimit: 0, BurstLimit: 1}}
		return tx.PutUsagePlan(p)
	})
	// The plan bucket changed its limit in place, keeping its (empty)
	// token count: let it refill.
	clk.Advance(time.Second)
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 200, petsOK)
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 429, tooMany)
	expectStatus(t, e, "prod", "/open", nil, 200, `{"open":true}`)
}

func TestAPIKeyQuota(t *testing.T) {
	start := time.Date(2026, 12, 2, 22, 0, 0, 0, time.UTC)
	clk := throttle.NewManualClock(start)
	dir := t.TempDir()
	st, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := newTestEnvOn(t, st, Options{Clock: clk})
	// Quota 3 a day, offset 1: the day the quota was set allows 2.
	keyFixture(t, e, &apigw.UsagePlan{Quota: &apigw.QuotaSettings{Limit: 3, Offset: 1, Period: "DAY"},
		QuotaAnchor: apigw.Time{Time: start}})
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 200, petsOK)
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 200, petsOK)
	resp := e.invoke("GET", "kapi", "prod", "/pets", nil, withKey(goodKey))
	expectGatewayError(t, resp, 429, "LimitExceededException", limitExceed)
	// A refused key does not count; a method without a key does not either.
	expectStatus(t, e, "prod", "/open", nil, 200, `{"open":true}`)

	// update-usage: the data plane adopts a new remaining quota.
	e.gw.SetRemaining("p", "kgood", 1)
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 200, petsOK)
	expectStatus(t, e, "prod", "/pets", withKey(goodKey), 429, limitExceed)

	// A restart keeps the count: close (final flush), reopen the store.
	e.close()
	st.Close()
	st2, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	e2 := newTestEnvOn(t, st2, Options{Clock: clk})
	expectStatus(t, e2, "prod", "/pets", withKey(goodKey), 429, limitExceed)
	var recs []store.UsageRecord
	st2.View(context.Background(), func(tx store.Tx) error {
		recs, _ = tx.UsageRecords("p", "kgood", "2026-12-02", "2026-12-02")
		return nil
	})
	if len(recs) != 1 || recs[0].Used != 3 || recs[0].Remaining != 0 {
		t.Fatalf("persisted %+v", recs)
	}

	// One nanosecond before midnight UTC the quota is still used up; at
	// midnight a new period starts with the full limit, no offset.
	clk.Set(time.Date(2026, 12, 2, 23, 59, 59, 999999999, time.UTC))
	expectStatus(t, e2, "prod", "/pets", withKey(goodKey), 429, limitExceed)
	clk.Set(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
	for range 3 {
		expectStatus(t, e2, "prod", "/pets", withKey(goodKey), 200, petsOK)
	}
	expectStatus(t, e2, "prod", "/pets", withKey(goodKey), 429, limitExceed)
}

// newTestEnvOn is newTestEnv over a given store, which the caller closes;
// close stops the gateway early (as a shutdown would).
func newTestEnvOn(t *testing.T, st store.Store, opts Options) *testEnv {
	t.Helper()
	gw, err := New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := startTestServer(t, &frontdoor.Handler{Invoke: gw})
	e := &testEnv{t: t, st: st, gw: gw, srv: srv}
	t.Cleanup(e.close)
	return e
}

// close stops the env's server and gateway once.
func (e *testEnv) close() {
	if e.srv != nil {
		e.srv.Close()
		e.gw.Close()
		e.srv = nil
	}
}

// TestAPIKeySourceAuthorizer checks the AUTHORIZER key source: the key is
// the usageIdentifierKey the authorizer step put in inv.auth, and the
// x-api-key header is ignored.
func TestAPIKeySourceAuthorizer(t *testing.T) {
	e := newTestEnv(t, Options{})
	keyFixture(t, e, &apigw.UsagePlan{})
	v := e.gw.table.Load().apis["kapi"].stages["prod"].prod
	n, _ := v.root.route("/pets", nil)
	m := n.lookup("GET")
	snap := *v.snapshot
	snap.APIKeySource = "AUTHORIZER"
	av := *v
	av.snapshot = &snap
	for _, tc := range []struct {
		name   string
		auth   *authContext
		header string
		pass   bool
	}{
		{"authorizer key", &authContext{usageIdentifierKey: goodKey}, "", true},
		{"header ignored", nil, goodKey, false},
		{"authorizer without key", &authContext{principalID: "u"}, goodKey, false},
		{"authorizer with an unknown key", &authContext{usageIdentifierKey: strayKey}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			passed := false
			h := e.gw.comp.apiKeyStep(&av, m, &apigw.Method{APIKeyRequired: true})(func(*invocation) { passed = true })
			req := httptest.NewRequest("GET", "/pets", nil)
			if tc.header != "" {
				req.Header.Set("X-Api-Key", tc.header)
			}
			rec := httptest.NewRecorder()
			inv := &invocation{r: req, w: rec, variant: &av, method: m, auth: tc.auth}
			h(inv)
			if passed != tc.pass {
				t.Fatalf("passed %v, want %v (status %d)", passed, tc.pass, rec.Code)
			}
			if !tc.pass && (rec.Code != 403 || rec.Body.String() != forbidden) {
				t.Fatalf("refusal %d %s", rec.Code, rec.Body)
			}
			if tc.pass && inv.apiKey.grant.keyID != "kgood" {
				t.Fatalf("grant %+v", inv.apiKey.grant)
			}
		})
	}
}

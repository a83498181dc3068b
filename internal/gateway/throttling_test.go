package gateway

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/gateway/throttle"
)

// limits builds a methodSettings entry with only throttling set.
func limits(rate float64, burst int) apigw.MethodSetting {
	return apigw.MethodSetting{ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst}
}

// throttleEnv deploys an API with HTTP_PROXY methods GET /a, GET /b and
// POST /b on a counting backend, driven by a manual clock.
func throttleEnv(t *testing.T, id string) (*testEnv, *countingBackend, *throttle.ManualClock) {
	t.Helper()
	clock := throttle.NewManualClock(time.Unix(1_700_000_000, 0))
	e := newTestEnv(t, Options{Clock: clock})
	be := newCountingBackend(t)
	b := newAPIBuilder(id)
	b.method("/a", "GET", proxyIntegration(be.URL+"/a"))
	b.method("/b", "GET", proxyIntegration(be.URL+"/b"))
	b.method("/b", "POST", proxyIntegration(be.URL+"/b"))
	e.deploy(b, "prod", nil)
	return e, be, clock
}

// accepted sends n requests and returns how many were not throttled; every
// throttled one must be AWS's 429.
func (e *testEnv) accepted(method, apiID, path string, n int) int {
	e.t.Helper()
	ok := 0
	for range n {
		resp := e.invoke(method, apiID, "prod", path, nil, nil)
		if resp.StatusCode == 429 {
			expectGatewayError(e.t, resp, 429, "ThrottlingException", `{"message":"Too Many Requests"}`)
			continue
		}
		readAll(e.t, resp)
		ok++
	}
	return ok
}

func TestThrottleBurstThenRefill(t *testing.T) {
	e, be, clock := throttleEnv(t, "thrburst01")
	e.editStage("thrburst01", "prod", func(s *apigw.Stage) {
		s.MethodSettings = map[string]apigw.MethodSetting{"*/*": limits(10, 5)}
	})
	if got := e.accepted("GET", "thrburst01", "/a", 8); got != 5 {
		t.Fatalf("burst 5: %d of 8 accepted", got)
	}
	if be.Hits("/a") != 5 {
		t.Errorf("backend saw %d requests, want 5: throttled requests must not reach the integration", be.Hits("/a"))
	}
	// Rate 10/s: one token per 100 ms.
	clock.Advance(100 * time.Millisecond)
	if got := e.accepted("GET", "thrburst01", "/a", 3); got != 1 {
		t.Errorf("after 100ms: %d accepted, want 1", got)
	}
	clock.Advance(250 * time.Millisecond)
	if got := e.accepted("GET", "thrburst01", "/a", 3); got != 2 {
		t.Errorf("after 250ms more: %d accepted, want 2", got)
	}
	// A full second refills the whole burst, and no more.
	clock.Advance(10 * time.Second)
	if got := e.accepted("GET", "thrburst01", "/a", 10); got != 5 {
		t.Errorf("after 10s idle: %d accepted, want the burst of 5", got)
	}
	if c := e.gw.StageCounters("thrburst01", "prod"); c.Throttled != 3+2+1+5 {
		t.Errorf("throttled counter = %d, want 11", c.Throttled)
	}
}

func TestThrottlePrecedence(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings map[string]apigw.MethodSetting
		account  *apigw.ThrottleSettings
		// requests sent per method and how many each accepts
		want map[string]int
	}{
		{name: "no settings: only the account default applies",
			want: map[string]int{"GET /a": 20, "GET /b": 20}},
		{name: "stage default gives each method its own bucket",
			settings: map[string]apigw.MethodSetting{"*/*": limits(1, 3)},
			want:     map[string]int{"GET /a": 3, "GET /b": 3, "POST /b": 3}},
		{name: "a method's own entry overrides the stage default",
			settings: map[string]apigw.MethodSetting{"*/*": limits(1, 3), "b/GET": limits(1, 7)},
			want:     map[string]int{"GET /a": 3, "GET /b": 7, "POST /b": 3}},
		{name: "a method entry applies without a stage default",
			settings: map[string]apigw.MethodSetting{"a/GET": limits(1, 2)},
			want:     map[string]int{"GET /a": 2, "GET /b": 20}},
		{name: "-1 on a method lifts the stage default for it",
			settings: map[string]apigw.MethodSetting{"*/*": limits(1, 2), "a/GET": limits(-1, -1)},
			want:     map[string]int{"GET /a": 20, "GET /b": 2}},
		{name: "rate 0 burst 0 rejects everything",
			settings: map[string]apigw.MethodSetting{"a/GET": limits(0, 0)},
			want:     map[string]int{"GET /a": 0, "GET /b": 20}},
		{name: "the account bucket is shared and bounds higher stage limits",
			settings: map[string]apigw.MethodSetting{"*/*": limits(100, 50)},
			account:  &apigw.ThrottleSettings{RateLimit: 1, BurstLimit: 4},
			want:     map[string]int{"GET /a": 4, "GET /b": 0}},
		{name: "-1 everywhere still leaves the account level",
			settings: map[string]apigw.MethodSetting{"*/*": limits(-1, -1)},
			account:  &apigw.ThrottleSettings{RateLimit: 1, BurstLimit: 6},
			want:     map[string]int{"GET /a": 6, "GET /b": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "thrprec" + fmt.Sprint(len(tc.name))
			e, _, _ := throttleEnv(t, id)
			if tc.account != nil {
				e.setAccountLimits(tc.account.RateLimit, tc.account.BurstLimit)
			}
			e.editStage(id, "prod", func(s *apigw.Stage) { s.MethodSettings = tc.settings })
			for _, req := range []string{"GET /a", "GET /b", "POST /b"} {
				want, ok := tc.want[req]
				if !ok {
					continue
				}
				var verb, path string
				fmt.Sscan(req, &verb, &path)
				if got := e.accepted(verb, id, path, 20); got != want {
					t.Errorf("%s: %d of 20 accepted, want %d", req, got, want)
				}
			}
		})
	}
}

// An update-stage that changes one method's limit applies it in place: it
// takes effect on the next request and leaves every other bucket's tokens
// where they were (a reset would let a drained method through again).
func TestThrottleLimitUpdateKeepsOtherBuckets(t *testing.T) {
	e, _, _ := throttleEnv(t, "thrupdate1")
	e.editStage("thrupdate1", "prod", func(s *apigw.Stage) {
		s.MethodSettings = map[string]apigw.MethodSetting{"*/*": limits(0.001, 3), "a/GET": limits(0.001, 10)}
	})
	if got := e.accepted("GET", "thrupdate1", "/b", 3); got != 3 { // drains GET /b
		t.Fatalf("GET /b: %d of 3", got)
	}
	if got := e.accepted("GET", "thrupdate1", "/a", 1); got != 1 { // GET /a: 9 tokens left
		t.Fatalf("GET /a: %d of 1", got)
	}
	e.accepted("POST", "thrupdate1", "/b", 1) // POST /b: 2 left
	// Lower GET /a's burst to 2; change nothing else.
	e.editStage("thrupdate1", "prod", func(s *apigw.Stage) { s.MethodSettings["a/GET"] = limits(0.001, 2) })
	if got := e.accepted("GET", "thrupdate1", "/a", 5); got != 2 {
		t.Errorf("GET /a after lowering its burst to 2: %d accepted, want 2", got)
	}
	if got := e.accepted("GET", "thrupdate1", "/b", 2); got != 0 {
		t.Errorf("GET /b was drained before the update; %d accepted after it: its bucket was reset", got)
	}
	if got := e.accepted("POST", "thrupdate1", "/b", 5); got != 2 {
		t.Errorf("POST /b: %d accepted, want the 2 tokens it had left", got)
	}
	// A redeployment keeps the buckets of methods that still exist.
	b := newAPIBuilder("thrupdate1")
	b.method("/a", "GET", mockIntegration("200", "{}"))
	b.method("/b", "GET", mockIntegration("200", "{}"))
	e.deploy(b, "prod", nil)
	if got := e.accepted("GET", "thrupdate1", "/b", 2); got != 0 {
		t.Errorf("GET /b after a redeployment: %d accepted: its bucket was reset", got)
	}
}

// The account level comes from the stored account (get-account's
// throttleSettings) and changes in place when the account changes.
func TestThrottleAccountChange(t *testing.T) {
	e, _, clock := throttleEnv(t, "thracct001")
	e.setAccountLimits(1, 3)
	if got := e.accepted("GET", "thracct001", "/a", 5); got != 3 {
		t.Fatalf("account burst 3: %d accepted", got)
	}
	e.setAccountLimits(2, 3)
	clock.Advance(time.Second)
	if got := e.accepted("GET", "thracct001", "/b", 5); got != 2 {
		t.Errorf("after 1s at the new account rate 2/s: %d accepted, want 2", got)
	}
}

// A canary's requests are throttled by the stage's buckets: the canary
// does not double the stage's limits.
func TestThrottleCanarySharesStageBuckets(t *testing.T) {
	e, _, _ := throttleEnv(t, "thrcanary1")
	var n atomic.Int64
	e.gw.opts.CanaryRand = func() float64 { return float64(n.Add(1)%2) * 0.99 } // alternate
	e.editStage("thrcanary1", "prod", func(s *apigw.Stage) {
		s.MethodSettings = map[string]apigw.MethodSetting{"*/*": limits(0.001, 4)}
		s.CanarySettings = &apigw.CanarySettings{PercentTraffic: 50, DeploymentID: s.DeploymentID}
	})
	if got := e.accepted("GET", "thrcanary1", "/a", 10); got != 4 {
		t.Errorf("stage and canary together accepted %d, want the burst of 4", got)
	}
}

package gateway

import (
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// canaryEnv deploys GET /v answering v1 (production), then a second
// deployment answering v2 that becomes the stage's canary.
func canaryEnv(t *testing.T, id string, opts Options, percent float64) *testEnv {
	t.Helper()
	e := newTestEnv(t, opts)
	e.setAccountLimits(1e9, 1<<30) // tens of thousands of requests below
	b := newAPIBuilder(id)
	b.method("/v", "GET", versionedMock("v1"))
	prod := e.deploy(b, "prod", nil)
	b.method("/v", "GET", versionedMock("v2"))
	canary := e.deploy(b, "prod", nil)
	e.editStage(id, "prod", func(s *apigw.Stage) {
		s.DeploymentID = prod
		s.CanarySettings = &apigw.CanarySettings{PercentTraffic: percent, DeploymentID: canary}
	})
	return e
}

// canaryShare serves n requests in-process and returns the percentage the
// canary answered.
func (e *testEnv) canaryShare(id string, n int) float64 {
	e.t.Helper()
	canary := 0
	for range n {
		w := httptest.NewRecorder()
		e.gw.ServeInvoke(w, httptest.NewRequest("GET", "/v", nil), id, "prod", "/v")
		switch w.Body.String() {
		case `{"version":"v2"}`:
			canary++
		case `{"version":"v1"}`:
		default:
			e.t.Fatalf("answer %d %s", w.Code, w.Body)
		}
	}
	return 100 * float64(canary) / float64(n)
}

func TestCanarySplit(t *testing.T) {
	for _, percent := range []float64{0, 0.5, 10, 33.3, 50, 90, 100} {
		rng := rand.New(rand.NewPCG(42, uint64(percent*10)))
		e := canaryEnv(t, "canarysplt", Options{CanaryRand: rng.Float64}, percent)
		got := e.canaryShare("canarysplt", 20000)
		if math.Abs(got-percent) > 1 {
			t.Errorf("percentTraffic %v: canary served %.2f%% of 20000 requests", percent, got)
		}
		if (percent == 0 && got != 0) || (percent == 100 && got != 100) {
			t.Errorf("percentTraffic %v: canary served %.2f%%", percent, got)
		}
	}
}

// The production draw (math/rand/v2, unseeded) splits too. The bound is
// 9 standard deviations wide, so this cannot fail by chance.
func TestCanarySplitUnseeded(t *testing.T) {
	e := canaryEnv(t, "canaryrand", Options{}, 30)
	if got := e.canaryShare("canaryrand", 20000); math.Abs(got-30) > 3 {
		t.Errorf("percentTraffic 30: canary served %.2f%%", got)
	}
}

// Canary requests see the stage variables with stageVariableOverrides on
// top, in what the integration sends to the backend.
func TestCanaryOverridesVisibleToBackend(t *testing.T) {
	e := newTestEnv(t, Options{})
	be := newCountingBackend(t)
	b := newAPIBuilder("canaryvars")
	in := proxyIntegration(be.URL + "/${stageVariables.tier}")
	in.RequestParameters = map[string]string{"integration.request.header.X-Color": "stageVariables.color"}
	b.method("/v", "GET", in)
	e.deploy(b, "prod", map[string]string{"color": "blue", "tier": "gold"})
	for _, tc := range []struct {
		percent     float64
		color, tier string
	}{{0, "blue", "gold"}, {100, "green", "gold"}} {
		e.editStage("canaryvars", "prod", func(s *apigw.Stage) {
			s.CanarySettings = &apigw.CanarySettings{PercentTraffic: tc.percent, DeploymentID: s.DeploymentID,
				StageVariableOverrides: map[string]string{"color": "green"}}
		})
		before := be.Hits("/" + tc.tier)
		if code, _, _ := e.get("canaryvars", "prod", "/v", nil); code != 200 {
			t.Fatalf("status %d", code)
		}
		if got := be.LastHeader().Get("X-Color"); got != tc.color || be.Hits("/"+tc.tier) != before+1 {
			t.Errorf("percentTraffic %v: backend saw X-Color %q on /%s hits %d, want %q", tc.percent, got, tc.tier, be.Hits("/"+tc.tier), tc.color)
		}
	}
	// Overriding a variable the URI uses sends canary traffic elsewhere.
	e.editStage("canaryvars", "prod", func(s *apigw.Stage) {
		s.CanarySettings.StageVariableOverrides = map[string]string{"tier": "silver"}
	})
	e.get("canaryvars", "prod", "/v", nil)
	if be.Hits("/silver") != 1 || be.LastHeader().Get("X-Color") != "blue" {
		t.Errorf("override of the URI's variable: /silver hits %d, X-Color %q", be.Hits("/silver"), be.LastHeader().Get("X-Color"))
	}
}

// useStageCache: the canary reads and writes the stage's entries; without
// it the canary caches apart from production.
func TestCanaryUseStageCache(t *testing.T) {
	for _, share := range []bool{true, false} {
		e, be, _ := cacheEnv(t, "canarycach", Options{})
		e.get("canarycach", "prod", "/items", nil) // production fills the cache
		e.editStage("canarycach", "prod", func(s *apigw.Stage) {
			s.CanarySettings = &apigw.CanarySettings{PercentTraffic: 100, DeploymentID: s.DeploymentID, UseStageCache: share}
		})
		_, body, _ := e.get("canarycach", "prod", "/items", nil)
		if fromStage := body == "/items hit 1"; fromStage != share {
			t.Errorf("useStageCache %v: canary got %q", share, body)
		}
		if _, again, _ := e.get("canarycach", "prod", "/items", nil); again != body {
			t.Errorf("useStageCache %v: canary's own entry not reused: %q then %q", share, body, again)
		}
		want := 1
		if !share {
			want = 2
		}
		if be.Hits("/items") != want {
			t.Errorf("useStageCache %v: backend hits %d, want %d", share, be.Hits("/items"), want)
		}
		// Removing the canary: production still has its entry.
		e.editStage("canarycach", "prod", func(s *apigw.Stage) { s.CanarySettings = nil })
		if _, body, _ := e.get("canarycach", "prod", "/items", nil); body != "/items hit 1" {
			t.Errorf("useStageCache %v: production after the canary: %q", share, body)
		}
	}
}

package gateway

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// versionedMock answers version in both the body and a header, from the
// same deployment: a response mixing two deployments would disagree.
func versionedMock(version string) *apigw.Integration {
	in := mockIntegration("200", `{"version":"`+version+`"}`)
	in.IntegrationResponses["200"].ResponseParameters = map[string]string{"method.response.header.X-Version": "'" + version + "'"}
	return in
}

func TestSnapshotSemantics(t *testing.T) {
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("snapshot01")
	b.method("/pets", "GET", versionedMock("v1"))
	e.deploy(b, "prod", nil)

	get := func(path string) (int, string) {
		resp := e.invoke("GET", "snapshot01", "prod", path, nil, nil)
		return resp.StatusCode, readAll(t, resp)
	}
	// Edit the API without redeploying: nothing served changes.
	b.method("/pets", "GET", versionedMock("v2"))
	b.method("/toys", "GET", versionedMock("v2"))
	e.update(func(tx store.Tx) error { return tx.PutRestAPI(b.api) })
	if code, body := get("/pets"); code != 200 || body != `{"version":"v1"}` {
		t.Errorf("after an edit without deployment: %d %s, want the deployed v1", code, body)
	}
	if code, _ := get("/toys"); code != 403 {
		t.Errorf("an undeployed resource answered %d, want 403", code)
	}
	// A new deployment switches the stage; the control-plane write returns
	// only once the data plane serves it.
	e.deploy(b, "prod", nil)
	if code, body := get("/pets"); code != 200 || body != `{"version":"v2"}` {
		t.Errorf("right after create-deployment: %d %s, want v2", code, body)
	}
	if code, _ := get("/toys"); code != 200 {
		t.Errorf("the newly deployed resource answered %d", code)
	}
	// Stage variables are part of the snapshot too.
	b.method("/var", "GET", &apigw.Integration{Type: apigw.IntegrationMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
		IntegrationResponses: map[string]*apigw.IntegrationResponse{"200": {StatusCode: "200",
			ResponseParameters: map[string]string{"method.response.header.X-Color": "stageVariables.color"}}}})
	e.deploy(b, "prod", nil)
	e.update(func(tx store.Tx) error {
		s, err := tx.Stage("snapshot01", "prod")
		if err != nil {
			return err
		}
		s.Variables = map[string]string{"color": "blue"}
		return tx.PutStage("snapshot01", s)
	})
	if c := e.invoke("GET", "snapshot01", "prod", "/var", nil, nil).Header.Get("X-Color"); c != "blue" {
		t.Errorf("stage variable after update-stage = %q, want blue", c)
	}
}

// TestSwitchPublishedByTheWorker checks the background worker publishes a
// change by itself: the control plane's wait is cut short here, so the
// test waits for the worker's own word that the change is answered (no
// clock), and the very next request must see the switch.
func TestSwitchPublishedByTheWorker(t *testing.T) {
	e := newTestEnv(t, Options{SwitchWait: time.Nanosecond})
	b := newAPIBuilder("switch0001")
	b.method("/v", "GET", versionedMock("v1"))
	d1 := e.deploy(b, "prod", nil)
	b.method("/v", "GET", versionedMock("v2"))
	d2 := e.deploy(b, "prod", nil)
	deps := map[string]string{d1: "v1", d2: "v2"}

	var worst time.Duration
	for i := range 20 {
		dep := d1
		if i%2 == 1 {
			dep = d2
		}
		want := `{"version":"` + deps[dep] + `"}`
		start := time.Now()
		e.update(func(tx store.Tx) error {
			s, _ := tx.Stage("switch0001", "prod")
			s.DeploymentID = dep
			return tx.PutStage("switch0001", s)
		})
		e.gw.waitAnswered(t)
		worst = max(worst, time.Since(start)) // reported, not asserted
		if got := readAll(t, e.invoke("GET", "switch0001", "prod", "/v", nil, nil)); got != want {
			t.Fatalf("after the worker published the switch to %s: %s, want %s", dep, got, want)
		}
	}
	t.Logf("slowest switch: %v", worst)
}

// waitAnswered waits until the worker has answered every change made so
// far (see onChange); the long timeout only keeps a wedged worker from
// hanging the test run.
func (g *Gateway) waitAnswered(t *testing.T) {
	t.Helper()
	g.mu.Lock()
	gen := g.requested
	g.mu.Unlock()
	if !g.waitPublished(gen, time.Minute) {
		t.Fatalf("the worker never answered change %d", gen)
	}
}

// TestControlPlaneWaitEndsOnTheWorkersWord: with the default options a
// committed change returns only once it is served, with no clock in the
// way (the wait used to end after 100ms, and a slow compile then let
// update-stage return before the stage served its new settings).
func TestControlPlaneWaitEndsOnTheWorkersWord(t *testing.T) {
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("switch0002")
	b.method("/v", "GET", versionedMock("v1"))
	d1 := e.deploy(b, "prod", nil)
	b.method("/v", "GET", versionedMock("v2"))
	d2 := e.deploy(b, "prod", nil)
	for i := range 10 {
		dep, want := d1, `{"version":"v1"}`
		if i%2 == 1 {
			dep, want = d2, `{"version":"v2"}`
		}
		e.update(func(tx store.Tx) error {
			s, _ := tx.Stage("switch0002", "prod")
			s.DeploymentID = dep
			return tx.PutStage("switch0002", s)
		})
		e.gw.mu.Lock()
		answered := e.gw.done >= e.gw.requested
		e.gw.mu.Unlock()
		if !answered {
			t.Fatalf("switch %d: the control-plane write returned before the worker answered it", i)
		}
		if got := readAll(t, e.invoke("GET", "switch0002", "prod", "/v", nil, nil)); got != want {
			t.Fatalf("switch %d: %s, want %s", i, got, want)
		}
	}
}

func TestSwitchUnderConcurrentLoad(t *testing.T) {
	backendA := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "A") }))
	backendB := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "B") }))
	t.Cleanup(backendA.Close)
	t.Cleanup(backendB.Close)

	e := newTestEnv(t, Options{})
	// Tens of thousands of requests per second: above AWS's default
	// account limit, which would answer 429.
	e.setAccountLimits(1e9, 1<<30)
	b := newAPIBuilder("switchload")
	b.method("/mock", "GET", versionedMock("v1"))
	b.method("/proxy/{proxy+}", "ANY", proxyIntegration(backendA.URL+"/{proxy}"))
	b.method("/only-v1", "GET", versionedMock("v1"))
	d1 := e.deploy(b, "prod", nil)
	b = newAPIBuilder("switchload")
	b.method("/mock", "GET", versionedMock("v2"))
	b.method("/proxy/{proxy+}", "ANY", proxyIntegration(backendB.URL+"/{proxy}"))
	b.method("/only-v2", "GET", versionedMock("v2"))
	d2 := e.deploy(b, "prod", nil)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	t.Cleanup(client.CloseIdleConnections)
	var (
		stop     atomic.Bool
		served   = make(chan struct{}, 1024) // one token per answered request
		requests atomic.Int64
		wg       sync.WaitGroup
		failMu   sync.Mutex
		failures []string
	)
	fail := func(format string, args ...any) {
		failMu.Lock()
		defer failMu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	base := e.srv.URL + "/restapis/switchload/prod/_user_request_"
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				path := [...]string{"/mock", "/proxy/x"}[(i+w)%2]
				resp, err := client.Get(base + path)
				if err != nil {
					fail("GET %s: %v", path, err)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				requests.Add(1)
				select {
				case served <- struct{}{}:
				default:
				}
				switch {
				case resp.StatusCode != 200:
					fail("GET %s: status %d %s", path, resp.StatusCode, body)
				case path == "/mock" && string(body) != `{"version":"`+resp.Header.Get("X-Version")+`"}`:
					fail("GET /mock mixed configuration: header %q body %s", resp.Header.Get("X-Version"), body)
				case path == "/proxy/x" && string(body) != "A" && string(body) != "B":
					fail("GET /proxy/x: body %q", body)
				}
			}
		}()
	}
	for i := range 60 {
		dep := d1
		if i%2 == 1 {
			dep = d2
		}
		e.update(func(tx store.Tx) error {
			s, _ := tx.Stage("switchload", "prod")
			s.DeploymentID = dep
			return tx.PutStage("switchload", s)
		})
		// Let the clients make requests against this configuration
		// before the next switch: paced by requests answered after it,
		// not by a clock.
	drain:
		for {
			select {
			case <-served:
			default:
				break drain
			}
		}
		for range 4 {
			<-served
		}
	}
	stop.Store(true)
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if requests.Load() < 60*4 {
		t.Errorf("only %d requests ran during the switches", requests.Load())
	}
	t.Logf("%d requests across 60 switches", requests.Load())
}

// TestChangeNamingNoAPIIsAnswered: a committed change that names no API
// and not the account (an API key, a usage plan) leaves the worker nothing
// to recompile, yet its writer must not wait for SwitchWait (it waited
// 30 s per call, and a usage-plan test ran into its 10-minute limit).
func TestChangeNamingNoAPIIsAnswered(t *testing.T) {
	e := newTestEnv(t, Options{SwitchWait: time.Hour})
	for i := range 3 {
		e.gw.onChange(store.Change{})
		e.gw.mu.Lock()
		answered := e.gw.done >= e.gw.requested
		e.gw.mu.Unlock()
		if !answered {
			t.Fatalf("change %d: onChange returned before the worker answered it", i)
		}
	}
}

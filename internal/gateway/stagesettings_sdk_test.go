package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// sdkAPI is a REST API built with the SDK: MOCK methods GET /a, /b and /c
// answering `{"v":"<version>"}`, and GET /proxy on an HTTP backend.
type sdkAPI struct {
	t    *testing.T
	env  *servertest.Env
	api  *apigateway.Client
	id   string
	res  map[string]string // path -> resource id
	base string            // invoke URL of stage prod, without the path
}

func newSDKAPI(t *testing.T, cfg *server.Config, backendURL string) *sdkAPI {
	t.Helper()
	env := servertest.Start(t, cfg)
	s := &sdkAPI{t: t, env: env, api: env.APIGateway(), res: map[string]string{}}
	ctx := servertest.Ctx()
	rest, err := s.api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("settings")})
	s.must(err)
	s.id = *rest.Id
	s.base = env.URL + "/restapis/" + s.id + "/prod/_user_request_"
	res, err := s.api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &s.id})
	s.must(err)
	root := *res.Items[0].Id
	for _, p := range []string{"a", "b", "c", "proxy"} {
		r, err := s.api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &s.id, ParentId: &root, PathPart: aws.String(p)})
		s.must(err)
		s.res["/"+p] = *r.Id
		_, err = s.api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &s.id, ResourceId: r.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
		s.must(err)
	}
	if backendURL != "" {
		_, err = s.api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &s.id, ResourceId: aws.String(s.res["/proxy"]),
			HttpMethod: aws.String("GET"), Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"),
			Uri: aws.String(backendURL + "/${stageVariables.path}"), RequestParameters: map[string]string{"integration.request.header.X-Color": "stageVariables.color"}})
		s.must(err)
	}
	s.setVersion("v1")
	return s
}

func (s *sdkAPI) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

// setVersion makes the MOCK methods answer version (undeployed).
func (s *sdkAPI) setVersion(version string) {
	s.t.Helper()
	ctx := servertest.Ctx()
	for _, p := range []string{"/a", "/b", "/c"} {
		id := aws.String(s.res[p])
		_, err := s.api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &s.id, ResourceId: id, HttpMethod: aws.String("GET"),
			Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
		s.must(err)
		_, err = s.api.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &s.id, ResourceId: id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
		s.must(err)
		_, err = s.api.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &s.id, ResourceId: id, HttpMethod: aws.String("GET"),
			StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"v":"` + version + `"}`}})
		s.must(err)
	}
}

func (s *sdkAPI) updateStage(ops ...types.PatchOperation) {
	s.t.Helper()
	_, err := s.api.UpdateStage(servertest.Ctx(), &apigateway.UpdateStageInput{RestApiId: &s.id, StageName: aws.String("prod"), PatchOperations: ops})
	s.must(err)
}

func replace(path, value string) types.PatchOperation {
	return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
}

func (s *sdkAPI) get(path string) (int, string) {
	s.t.Helper()
	resp, err := http.Get(s.base + path)
	s.must(err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// accepted sends n GETs and counts the non-429 answers.
func (s *sdkAPI) accepted(path string, n int) int {
	s.t.Helper()
	ok := 0
	for range n {
		code, body := s.get(path)
		switch {
		case code == 429 && body == `{"message":"Too Many Requests"}`:
		case code == 200:
			ok++
		default:
			s.t.Fatalf("GET %s: %d %s", path, code, body)
		}
	}
	return ok
}

// A limit changed with update-stage applies to the very next request (the
// call returns once the data plane serves it, at most 100 ms after the
// commit), without a redeployment, and the other methods keep their
// buckets' state.
func TestThrottleUpdateStageThroughSDK(t *testing.T) {
	s := newSDKAPI(t, nil, "")
	_, err := s.api.CreateDeployment(servertest.Ctx(), &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod")})
	s.must(err)
	// Rates so low that nothing refills during the test.
	s.updateStage(replace("/*/*/throttling/rateLimit", "0.001"), replace("/*/*/throttling/burstLimit", "3"),
		replace("/~1a/GET/throttling/rateLimit", "0.001"), replace("/~1a/GET/throttling/burstLimit", "10"))
	if got := s.accepted("/b", 5); got != 3 {
		t.Fatalf("GET /b under */* burst 3: %d of 5 accepted", got)
	}
	if got := s.accepted("/a", 1); got != 1 {
		t.Fatalf("GET /a: %d", got)
	}
	start := time.Now()
	s.updateStage(replace("/~1a/GET/throttling/burstLimit", "2"))
	if got := s.accepted("/a", 5); got != 2 {
		t.Errorf("GET /a right after update-stage lowered its burst to 2: %d of 5 accepted", got)
	}
	t.Logf("update-stage to enforced: %v", time.Since(start))
	if got := s.accepted("/b", 3); got != 0 {
		t.Errorf("GET /b was drained; after the unrelated update-stage %d accepted: bucket reset", got)
	}
	if got := s.accepted("/c", 5); got != 3 {
		t.Errorf("GET /c: %d accepted, want its own full burst of 3", got)
	}
	// -1 lifts the method level.
	s.updateStage(replace("/~1b/GET/throttling/rateLimit", "-1"), replace("/~1b/GET/throttling/burstLimit", "-1"))
	if got := s.accepted("/b", 5); got != 5 {
		t.Errorf("GET /b unthrottled at the method level: %d of 5", got)
	}
}

// The account level is what get-account reports, configured at startup.
func TestAccountThrottleThroughSDK(t *testing.T) {
	s := newSDKAPI(t, &server.Config{AccountRateLimit: 0.001, AccountBurstLimit: 4}, "")
	acct, err := s.api.GetAccount(servertest.Ctx(), &apigateway.GetAccountInput{})
	s.must(err)
	if ts := acct.ThrottleSettings; ts == nil || ts.RateLimit != 0.001 || ts.BurstLimit != 4 {
		t.Fatalf("get-account throttleSettings %+v", acct.ThrottleSettings)
	}
	_, err = s.api.CreateDeployment(servertest.Ctx(), &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod")})
	s.must(err)
	if got := s.accepted("/a", 3) + s.accepted("/b", 3); got != 4 {
		t.Errorf("account burst 4 shared by all methods: %d of 6 accepted", got)
	}
}

// Cache settings set with update-stage, observed through backend hits;
// flush-stage-cache empties the cache.
func TestCacheThroughSDK(t *testing.T) {
	var hits atomic.Int64
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path+" "+string(rune('0'+hits.Add(1))))
	}))
	t.Cleanup(backend.Close)
	s := newSDKAPI(t, nil, backend.URL)
	ctx := servertest.Ctx()
	_, err := s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod"),
		Variables: map[string]string{"path": "x", "color": "blue"}})
	s.must(err)
	s.get("/proxy")
	s.get("/proxy")
	if hits.Load() != 2 {
		t.Fatalf("cached without a cache: %d hits", hits.Load())
	}
	s.updateStage(replace("/cacheClusterEnabled", "true"), replace("/*/*/caching/enabled", "true"), replace("/*/*/caching/ttlInSeconds", "300"))
	st, err := s.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &s.id, StageName: aws.String("prod")})
	s.must(err)
	if st.CacheClusterStatus != types.CacheClusterStatusAvailable || aws.ToString((*string)(&st.CacheClusterSize)) != "0.5" {
		t.Errorf("cache cluster %s %s", st.CacheClusterStatus, st.CacheClusterSize)
	}
	_, first := s.get("/proxy")
	_, second := s.get("/proxy")
	if first != second || hits.Load() != 3 {
		t.Errorf("with caching: %q then %q, %d backend hits", first, second, hits.Load())
	}
	_, err = s.api.FlushStageCache(ctx, &apigateway.FlushStageCacheInput{RestApiId: &s.id, StageName: aws.String("prod")})
	s.must(err)
	if _, third := s.get("/proxy"); third == first || hits.Load() != 4 {
		t.Errorf("after flush-stage-cache: %q, %d hits", third, hits.Load())
	}
}

// Canary through the SDK: create-deployment --canary-settings on an
// existing stage, patches of percentTraffic, overrides seen by the backend,
// and promotion (copy operations, then remove /canarySettings) while
// requests flow: none fails, none mixes configurations, and once the
// calls return every request gets the promoted deployment.
func TestCanaryLifecycleThroughSDK(t *testing.T) {
	var mu sync.Mutex
	colors := map[string]int{}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		colors[r.Header.Get("X-Color")]++
		mu.Unlock()
		io.WriteString(w, r.Header.Get("X-Color"))
	}))
	t.Cleanup(backend.Close)
	s := newSDKAPI(t, &server.Config{AccountRateLimit: 1e9, AccountBurstLimit: 1 << 30}, backend.URL)
	ctx := servertest.Ctx()
	_, err := s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod"),
		Variables: map[string]string{"path": "x", "color": "blue"}})
	s.must(err)
	s.setVersion("v2")
	can, err := s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod"),
		CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 100, StageVariableOverrides: map[string]string{"color": "green"}}})
	s.must(err)
	if _, body := s.get("/a"); body != `{"v":"v2"}` {
		t.Errorf("canary at 100%%: %s", body)
	}
	if _, body := s.get("/proxy"); body != "green" {
		t.Errorf("canary override seen by the backend: %q", body)
	}
	s.updateStage(replace("/canarySettings/percentTraffic", "0"))
	if _, body := s.get("/a"); body != `{"v":"v1"}` {
		t.Errorf("canary at 0%%: %s", body)
	}
	s.updateStage(replace("/canarySettings/percentTraffic", "50"))
	mu.Lock()
	clear(colors)
	mu.Unlock()
	for range 400 {
		s.get("/proxy")
	}
	mu.Lock()
	if colors["green"] < 120 || colors["blue"] < 120 {
		t.Errorf("50%% canary over 400 requests: %v", colors)
	}
	mu.Unlock()

	// Promotion under load.
	var (
		stop     atomic.Bool
		wg       sync.WaitGroup
		failures atomic.Int64
		promoted atomic.Bool
		late     atomic.Int64 // v1 answers to requests sent after promotion returned
		count    atomic.Int64
		served   = make(chan struct{}, 256) // a token per answered request
	)
	// serveSome lets the clients answer n requests from now on: the steps
	// below are paced by requests served, not by a clock.
	serveSome := func(n int) {
		for {
			select {
			case <-served:
				continue
			default:
			}
			break
		}
		for range n {
			<-served
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	t.Cleanup(client.CloseIdleConnections)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				after := promoted.Load()
				resp, err := client.Get(s.base + "/a")
				if err != nil {
					failures.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				count.Add(1)
				select {
				case served <- struct{}{}:
				default:
				}
				switch body := string(b); {
				case resp.StatusCode != 200 || (body != `{"v":"v1"}` && body != `{"v":"v2"}`):
					failures.Add(1)
				case after && body == `{"v":"v1"}`:
					late.Add(1)
				}
			}
		}()
	}
	serveSome(10)
	s.updateStage(
		types.PatchOperation{Op: types.OpCopy, From: aws.String("/canarySettings/deploymentId"), Path: aws.String("/deploymentId")},
		types.PatchOperation{Op: types.OpCopy, From: aws.String("/canarySettings/stageVariableOverrides"), Path: aws.String("/variables")},
	)
	promoted.Store(true)
	serveSome(10)
	s.updateStage(types.PatchOperation{Op: types.OpRemove, Path: aws.String("/canarySettings")})
	serveSome(10)
	stop.Store(true)
	wg.Wait()
	if failures.Load() != 0 || late.Load() != 0 || count.Load() < 20 {
		t.Errorf("promotion under load: %d requests, %d failed, %d served the old deployment after promotion", count.Load(), failures.Load(), late.Load())
	}
	st, err := s.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &s.id, StageName: aws.String("prod")})
	s.must(err)
	if aws.ToString(st.DeploymentId) != aws.ToString(can.Id) || st.CanarySettings != nil || st.Variables["color"] != "green" {
		t.Errorf("stage after promotion: deployment %s canary %+v variables %v", aws.ToString(st.DeploymentId), st.CanarySettings, st.Variables)
	}
	if _, body := s.get("/proxy"); body != "green" {
		t.Errorf("promoted variables: %q", body)
	}

	// create-stage with canary settings.
	_, err = s.api.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: &s.id, StageName: aws.String("beta"), DeploymentId: st.DeploymentId,
		Variables:      map[string]string{"path": "x", "color": "blue"},
		CanarySettings: &types.CanarySettings{PercentTraffic: 100, StageVariableOverrides: map[string]string{"color": "red"}}})
	s.must(err)
	resp, err := http.Get(strings.Replace(s.base, "/prod/", "/beta/", 1) + "/proxy")
	s.must(err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "red" {
		t.Errorf("create-stage --canary-settings: backend saw %q", b)
	}
}

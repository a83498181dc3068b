package h1serve_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/h1serve"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// gatewayOnH1 is a whole Stagecoach whose control plane runs on h1serve
// (servertest) and whose data plane is also served, as with
// serve --gateway-listen --gateway-server=h1serve, by a second h1serve
// listener on App.DataPlaneHandler. One API, set up with the SDK:
//
//	ANY /{proxy+}          HTTP_PROXY to the backend
//	GET /cached/{proxy+}   HTTP_PROXY, cached (stage cache on, TTL 300)
//	GET /limited           MOCK, throttled to rate 0.001 burst 1
type gatewayOnH1 struct {
	t        *testing.T
	dataURL  string // http://host:port of the data-plane listener
	apiID    string
	base     string // dataURL + path form prefix
	hits     atomic.Int64
	proceed  chan struct{}
	backend  *http.Server
	backendL net.Listener
}

func newGatewayOnH1(t *testing.T) *gatewayOnH1 {
	t.Helper()
	g := &gatewayOnH1{t: t, proceed: make(chan struct{}, 1)}
	g.startBackend()
	env := servertest.StartWith(t, nil, servertest.Options{HTTPServer: "h1serve"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dp := &h1serve.Server{Handler: env.App.DataPlaneHandler()}
	go dp.Serve(ln)
	t.Cleanup(func() { dp.Close() })
	g.dataURL = "http://" + ln.Addr().String()

	api := env.APIGateway()
	ctx := servertest.Ctx()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	rest, err := api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("h1serve-e2e")})
	must(err)
	g.apiID = *rest.Id
	g.base = g.dataURL + "/restapis/" + g.apiID + "/prod/_user_request_"
	res, err := api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: rest.Id})
	must(err)
	root := res.Items[0].Id
	proxyParams := map[string]bool{"method.request.path.proxy": true}
	proxyMapping := map[string]string{"integration.request.path.proxy": "method.request.path.proxy"}
	addProxy := func(parent *string, verb string, cacheKeys []string) {
		r, err := api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: rest.Id, ParentId: parent, PathPart: aws.String("{proxy+}")})
		must(err)
		_, err = api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: rest.Id, ResourceId: r.Id, HttpMethod: aws.String(verb),
			AuthorizationType: aws.String("NONE"), RequestParameters: proxyParams})
		must(err)
		_, err = api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: rest.Id, ResourceId: r.Id, HttpMethod: aws.String(verb),
			Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String(verb), Uri: aws.String(g.backendURL() + "/{proxy}"),
			RequestParameters: proxyMapping, CacheKeyParameters: cacheKeys})
		must(err)
	}
	addProxy(root, "ANY", nil)
	cached, err := api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: rest.Id, ParentId: root, PathPart: aws.String("cached")})
	must(err)
	addProxy(cached.Id, "GET", []string{"method.request.path.proxy"})
	limited, err := api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: rest.Id, ParentId: root, PathPart: aws.String("limited")})
	must(err)
	_, err = api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: rest.Id, ResourceId: limited.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	must(err)
	_, err = api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: rest.Id, ResourceId: limited.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	must(err)
	_, err = api.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: rest.Id, ResourceId: limited.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
	must(err)
	_, err = api.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: rest.Id, ResourceId: limited.Id, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"ok":true}`}})
	must(err)
	_, err = api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: rest.Id, StageName: aws.String("prod")})
	must(err)
	op := func(path, value string) types.PatchOperation {
		return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
	}
	_, err = api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: rest.Id, StageName: aws.String("prod"), PatchOperations: []types.PatchOperation{
		op("/cacheClusterEnabled", "true"),
		op("/~1cached~1{proxy+}/GET/caching/enabled", "true"),
		op("/~1cached~1{proxy+}/GET/caching/ttlInSeconds", "300"),
		op("/~1limited/GET/throttling/rateLimit", "0.001"),
		op("/~1limited/GET/throttling/burstLimit", "1"),
	}})
	must(err)
	return g
}

// startBackend runs the integration backend: it echoes the request, and
// has endpoints for trailers and streaming.
func (g *gatewayOnH1) startBackend() {
	mux := http.NewServeMux()
	mux.HandleFunc("/trailers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum")
		io.WriteString(w, "payload")
		w.(http.Flusher).Flush()
		w.Header().Set("X-Checksum", "c0ffee")
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first;")
		w.(http.Flusher).Flush()
		select { // the client must see "first;" before this goes on
		case <-g.proceed:
			io.WriteString(w, "second")
		case <-time.After(5 * time.Second):
			io.WriteString(w, "second, but the first part was not delivered in time")
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		g.hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %s len=%d te=%v body=%s", r.Method, r.URL.Path, r.ContentLength, r.TransferEncoding, b)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		g.t.Fatal(err)
	}
	g.backend, g.backendL = &http.Server{Handler: mux}, ln
	go g.backend.Serve(ln)
	g.t.Cleanup(func() { g.backend.Close() })
}

func (g *gatewayOnH1) backendURL() string { return "http://" + g.backendL.Addr().String() }

func (g *gatewayOnH1) do(req *http.Request) (*http.Response, string) {
	g.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		g.t.Fatal(err)
	}
	return resp, string(b)
}

func TestGatewayOverH1Serve(t *testing.T) {
	g := newGatewayOnH1(t)

	t.Run("proxy with a body", func(t *testing.T) {
		req, _ := http.NewRequest("POST", g.base+"/pets", strings.NewReader(`{"name":"rex"}`))
		resp, body := g.do(req)
		if resp.StatusCode != 200 || body != `POST /pets len=14 te=[] body={"name":"rex"}` {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
		if resp.Header.Get("X-Amzn-Requestid") == "" {
			t.Errorf("no request id: %v", resp.Header)
		}
	})
	t.Run("execute-api host form", func(t *testing.T) {
		req, _ := http.NewRequest("PUT", g.dataURL+"/prod/pets/1", strings.NewReader("x"))
		req.Host = g.apiID + ".execute-api.localhost"
		if resp, body := g.do(req); resp.StatusCode != 200 || body != "PUT /pets/1 len=1 te=[] body=x" {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("chunked request body", func(t *testing.T) {
		// A reader of unknown length makes the client send chunks.
		req, _ := http.NewRequest("POST", g.base+"/upload", io.MultiReader(strings.NewReader("part1-"), strings.NewReader("part2")))
		resp, body := g.do(req)
		if resp.StatusCode != 200 || !strings.HasSuffix(body, "body=part1-part2") {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("trailers", func(t *testing.T) {
		resp, err := http.Get(g.base + "/trailers")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "payload" || resp.Trailer.Get("X-Checksum") != "c0ffee" {
			t.Errorf("body %q trailer %v", b, resp.Trailer)
		}
	})
	t.Run("streaming", func(t *testing.T) {
		resp, err := http.Get(g.base + "/stream")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		br := bufio.NewReader(resp.Body)
		first, err := br.ReadString(';')
		if err != nil || first != "first;" {
			t.Fatalf("first part: %q %v", first, err)
		}
		g.proceed <- struct{}{}
		rest, _ := io.ReadAll(br)
		if string(rest) != "second" {
			t.Errorf("rest %q", rest)
		}
	})
	t.Run("request too large", func(t *testing.T) {
		req, _ := http.NewRequest("POST", g.base+"/big", strings.NewReader(strings.Repeat("x", 10<<20+1)))
		resp, body := g.do(req)
		if resp.StatusCode != 413 || body != `{"message":"Request Too Long"}` {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("throttled", func(t *testing.T) {
		codes := []int{}
		for range 3 {
			resp, _ := g.do(mustRequest("GET", g.base+"/limited"))
			codes = append(codes, resp.StatusCode)
		}
		if fmt.Sprint(codes) != "[200 429 429]" {
			t.Errorf("statuses %v, want [200 429 429]", codes)
		}
	})
	t.Run("cache hits", func(t *testing.T) {
		before := g.hits.Load()
		var bodies []string
		for range 3 {
			_, body := g.do(mustRequest("GET", g.base+"/cached/item"))
			bodies = append(bodies, body)
		}
		if n := g.hits.Load() - before; n != 1 || bodies[0] != bodies[2] {
			t.Errorf("backend hit %d times for 3 cacheable GETs; bodies %q", n, bodies)
		}
	})
	t.Run("keep-alive reuse", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{}}
		reused := 0
		for range 5 {
			req := mustRequest("GET", g.base+"/ka")
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
				GotConn: func(info httptrace.GotConnInfo) {
					if info.Reused {
						reused++
					}
				},
			}))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if reused != 4 {
			t.Errorf("%d of 4 follow-up requests reused the connection", reused)
		}
	})
	t.Run("connection close", func(t *testing.T) {
		req := mustRequest("GET", g.base+"/bye")
		req.Close = true
		if resp, _ := g.do(req); resp.StatusCode != 200 || !resp.Close {
			t.Errorf("%d close=%v", resp.StatusCode, resp.Close)
		}
	})
	t.Run("HTTP/1.0 and malformed over raw connections", func(t *testing.T) {
		addr := strings.TrimPrefix(g.dataURL, "http://")
		path := "/restapis/" + g.apiID + "/prod/_user_request_/old"
		for _, tc := range []struct{ req, wantPrefix string }{
			{"GET " + path + " HTTP/1.0\r\n\r\n", "HTTP/1.0 200 OK\r\n"},
			{"GET " + path + " HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},
			{"GET " + path + "\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},
		} {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			nc.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(nc, tc.req)
			all, err := io.ReadAll(nc) // each ends with the server closing
			nc.Close()
			if err != nil || !strings.HasPrefix(string(all), tc.wantPrefix) {
				t.Errorf("%q: got %q (%v)", tc.req, all, err)
			}
		}
	})
	t.Run("not the data plane", func(t *testing.T) {
		resp, _ := g.do(mustRequest("GET", g.dataURL+"/restapis"))
		if resp.StatusCode != 404 {
			t.Errorf("control plane path on the data-plane listener: %d", resp.StatusCode)
		}
	})
}

func mustRequest(method, url string) *http.Request {
	req, err := http.NewRequestWithContext(context.Background(), method, url, nil)
	if err != nil {
		panic(err)
	}
	return req
}

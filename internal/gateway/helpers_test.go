package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/frontdoor"
	"github.com/stagecoach/stagecoach/internal/store"
	"github.com/stagecoach/stagecoach/internal/store/sqlite"
)

// apiBuilder assembles a REST API's resource tree the way the control
// plane stores it, so tests can deploy it without going through the
// control API.
type apiBuilder struct {
	api *apigw.RestAPI
}

func newAPIBuilder(id string) *apiBuilder {
	root := &apigw.Resource{ID: id + "root", Path: "/"}
	return &apiBuilder{api: &apigw.RestAPI{
		ID: id, Name: "api-" + id, RootResourceID: root.ID,
		Resources: map[string]*apigw.Resource{root.ID: root},
	}}
}

// resource returns the resource at path, creating it and its ancestors.
func (b *apiBuilder) resource(path string) *apigw.Resource {
	if r := b.api.ResourceByPath(path); r != nil {
		return r
	}
	i := strings.LastIndexByte(path, '/')
	parentPath := path[:i]
	if parentPath == "" {
		parentPath = "/"
	}
	parent := b.resource(parentPath)
	r := &apigw.Resource{ID: b.api.ID + "r" + apigw.NewID()[:6], ParentID: parent.ID, PathPart: path[i+1:], Path: path}
	b.api.Resources[r.ID] = r
	return r
}

// method puts a method with its integration; method responses are
// declared for every integration response status.
func (b *apiBuilder) method(path, verb string, in *apigw.Integration) *apigw.Method {
	r := b.resource(path)
	m := &apigw.Method{HTTPMethod: verb, AuthorizationType: "NONE", MethodIntegration: in}
	if in == nil {
		m.MethodIntegration = nil
	}
	if in == nil {
		in = &apigw.Integration{}
	}
	for code := range in.IntegrationResponses {
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*apigw.MethodResponse{}
		}
		m.MethodResponses[code] = &apigw.MethodResponse{StatusCode: code}
	}
	if r.ResourceMethods == nil {
		r.ResourceMethods = map[string]*apigw.Method{}
	}
	r.ResourceMethods[verb] = m
	return m
}

// snapshot freezes the current tree (a deep copy, as a deployment does).
func (b *apiBuilder) snapshot() *apigw.Snapshot {
	raw, err := json.Marshal(b.api.Resources)
	if err != nil {
		panic(err)
	}
	var res map[string]*apigw.Resource
	if err := json.Unmarshal(raw, &res); err != nil {
		panic(err)
	}
	return &apigw.Snapshot{APIName: b.api.Name, Resources: res, BinaryMediaTypes: b.api.BinaryMediaTypes,
		Authorizers: b.api.Authorizers, GatewayResponses: b.api.GatewayResponses}
}

// testEnv is a data plane over a real SQLite store behind the real front
// door, on a loopback listener.
type testEnv struct {
	t   testing.TB
	st  store.Store
	gw  *Gateway
	srv *httptest.Server
}

func newTestEnv(t testing.TB, opts Options) *testEnv {
	t.Helper()
	st, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gw, err := New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := startTestServer(t, &frontdoor.Handler{Invoke: gw})
	t.Cleanup(func() {
		srv.Close()
		gw.Close()
		st.Close()
	})
	return &testEnv{t: t, st: st, gw: gw, srv: srv}
}

// deploy stores the API, a deployment of its current tree, and points the
// stage at it (creating the stage with vars if needed). It returns the
// deployment id.
func (e *testEnv) deploy(b *apiBuilder, stage string, vars map[string]string) string {
	e.t.Helper()
	depID := apigw.NewID()
	err := e.st.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.PutRestAPI(b.api); err != nil {
			return err
		}
		if err := tx.PutDeployment(b.api.ID, &apigw.Deployment{ID: depID, Snapshot: b.snapshot()}); err != nil {
			return err
		}
		s, err := tx.Stage(b.api.ID, stage)
		if err != nil {
			s = &apigw.Stage{StageName: stage, Variables: vars}
		}
		s.DeploymentID = depID
		return tx.PutStage(b.api.ID, s)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return depID
}

// update runs fn in a store transaction.
func (e *testEnv) update(fn func(tx store.Tx) error) {
	e.t.Helper()
	if err := e.st.Update(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// invoke calls a stage through the path form
// /restapis/{id}/{stage}/_user_request_{path}.
func (e *testEnv) invoke(method, apiID, stage, path string, body io.Reader, header http.Header) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+"/restapis/"+apiID+"/"+stage+"/_user_request_"+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// readAll returns the body as a string and closes it.
func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// expectGatewayError checks a gateway-generated error response.
func expectGatewayError(t testing.TB, resp *http.Response, status int, errType, body string) {
	t.Helper()
	got := readAll(t, resp)
	if resp.StatusCode != status || got != body {
		t.Errorf("got %d %s, want %d %s", resp.StatusCode, got, status, body)
	}
	if et := resp.Header.Get("x-amzn-ErrorType"); et != errType {
		t.Errorf("x-amzn-ErrorType = %q, want %q", et, errType)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	expectRequestIDs(t, resp)
}

func expectRequestIDs(t testing.TB, resp *http.Response) {
	t.Helper()
	if id := resp.Header.Get("x-amzn-RequestId"); len(id) != 36 || id[14] != '4' {
		t.Errorf("x-amzn-RequestId = %q, want a v4 UUID", id)
	}
	if id := resp.Header.Get("x-amz-apigw-id"); len(id) != 16 || id[15] != '=' {
		t.Errorf("x-amz-apigw-id = %q, want 16 base64 characters", id)
	}
}

func mockIntegration(status string, body string) *apigw.Integration {
	return &apigw.Integration{
		Type:             apigw.IntegrationMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": ` + status + `}`},
		IntegrationResponses: map[string]*apigw.IntegrationResponse{
			status: {StatusCode: status, ResponseTemplates: map[string]string{"application/json": body}},
		},
	}
}

func proxyIntegration(uri string) *apigw.Integration {
	return &apigw.Integration{Type: apigw.IntegrationHTTPProxy, HTTPMethod: "ANY", URI: uri}
}

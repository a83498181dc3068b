package gateway_test

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// otlpReceiver is an OTLP/HTTP endpoint that decodes the protobuf
// export requests it gets.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req coltrace.ExportTraceServiceRequest
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &req) != nil {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			o.spans = append(o.spans, ss.Spans...)
		}
	}
	o.mu.Unlock()
	b, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(b)
}

func attr(s *tracepb.Span, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			if v, ok := kv.Value.Value.(*commonpb.AnyValue_IntValue); ok {
				return strconv.FormatInt(v.IntValue, 10)
			}
			return kv.Value.GetStringValue()
		}
	}
	return ""
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func TestTracingHeaderAndSpans(t *testing.T) {
	var seenMu sync.Mutex
	var seen []string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seenMu.Lock()
		seen = append(seen, r.Header.Get("X-Amzn-Trace-Id"))
		seenMu.Unlock()
		io.WriteString(w, "{}")
	}))
	defer backend.Close()
	recv := &otlpReceiver{}
	collector := httptest.NewServer(recv)
	defer collector.Close()

	env := servertest.Start(t, &server.Config{OTLPEndpoint: collector.URL, TraceSampleRate: 1})
	api := env.APIGateway()
	ctx := context.Background()
	rest, err := api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("traced")})
	if err != nil {
		t.Fatal(err)
	}
	id := *rest.Id
	res, _ := api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &id})
	pets, err := api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: res.Items[0].Id, PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() error{
		func() error {
			_, err := api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
			return err
		},
		func() error {
			_, err := api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
				Type: agtypes.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(backend.URL + "/pets")})
			return err
		},
		func() error {
			_, err := api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")})
			return err
		},
		func() error {
			_, err := api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &id, StageName: aws.String("prod"),
				PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/tracingEnabled"), Value: aws.String("true")}}})
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	url := env.URL + "/restapis/" + id + "/prod/_user_request_/pets"
	get := func(traceHeader string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if traceHeader != "" {
			req.Header.Set("X-Amzn-Trace-Id", traceHeader)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		return resp
	}
	headerRE := regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$`)

	// A new trace: the backend sees Root, the gateway's Parent and
	// Sampled=1 (rate 1), the caller gets the Root back.
	resp := get("")
	seenMu.Lock()
	first := seen[len(seen)-1]
	seenMu.Unlock()
	if !headerRE.MatchString(first) {
		t.Fatalf("backend saw X-Amzn-Trace-Id %q", first)
	}
	root := strings.TrimPrefix(strings.Split(first, ";")[0], "Root=")
	if got := resp.Header.Get("X-Amzn-Trace-Id"); got != "Root="+root+";Sampled=1" {
		t.Errorf("response X-Amzn-Trace-Id %q", got)
	}

	// A caller's trace continues, with its Sampled=0 honoured: no spans.
	const callerRoot = "1-67891233-abcdef012345678912345678"
	get("Root=" + callerRoot + ";Parent=53995c3f42cd8ad8;Sampled=0")
	seenMu.Lock()
	cont := seen[len(seen)-1]
	seenMu.Unlock()
	if !strings.HasPrefix(cont, "Root="+callerRoot+";Parent=") || !strings.HasSuffix(cont, ";Sampled=0") || strings.Contains(cont, "53995c3f42cd8ad8") {
		t.Errorf("continued trace header %q", cont)
	}
	// An invalid header starts a new trace.
	get("Root=garbage")
	seenMu.Lock()
	fresh := seen[len(seen)-1]
	seenMu.Unlock()
	if !headerRE.MatchString(fresh) {
		t.Errorf("after an invalid header the backend saw %q", fresh)
	}

	if err := env.App.Tracing.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	byName := map[string]*tracepb.Span{}
	traces := map[string]bool{}
	for _, s := range recv.spans {
		traces[string(s.TraceId)] = true
		if string(s.TraceId) == string(mustHex(t, root[2:10]+root[11:])) {
			byName[s.Name] = s
		}
	}
	if len(traces) != 2 {
		t.Errorf("spans of %d traces exported, want 2 (the sampled ones)", len(traces))
	}
	stage, integ := byName["stage"], byName["integration"]
	if stage == nil || integ == nil {
		t.Fatalf("spans of the first trace: %v", byName)
	}
	if !strings.Contains(first, "Parent="+hexOf(stage.SpanId)) {
		t.Errorf("the backend's Parent %q is not the stage span %x", first, stage.SpanId)
	}
	if string(integ.ParentSpanId) != string(stage.SpanId) {
		t.Errorf("integration span's parent %x, want the stage span %x", integ.ParentSpanId, stage.SpanId)
	}
	for k, want := range map[string]string{
		"aws.api_gateway.rest_api_id": id, "aws.api_gateway.stage": "prod", "http.request.method": "GET",
		"aws.api_gateway.resource": "/pets", "http.response.status_code": "200",
	} {
		if got := attr(stage, k); got != want {
			t.Errorf("stage span %s = %q, want %q", k, got, want)
		}
	}
}

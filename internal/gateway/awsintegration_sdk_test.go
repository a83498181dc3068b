package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
	"github.com/stagecoach/stagecoach/internal/sigv4"
)

// signedService is a small local AWS-like service: it verifies each
// request's SigV4 signature with internal/sigv4 and records what it got.
type signedService struct {
	verifier *sigv4.Verifier
	mu       sync.Mutex
	got      []sigv4.Identity
	urls     []string
	bodies   []string
}

func newSignedService(t *testing.T, s3 bool) (*signedService, *httptest.Server) {
	t.Helper()
	creds, err := sigv4.NewCredentials(sigv4.Credential{Profile: "default", AccessKeyID: "AKIDSTAGECOACH", SecretAccessKey: "s3cr3t"})
	if err != nil {
		t.Fatal(err)
	}
	svc := &signedService{verifier: &sigv4.Verifier{Credentials: creds, S3: s3}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, err := svc.verifier.Verify(r, body)
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>`))
			return
		}
		svc.mu.Lock()
		svc.got = append(svc.got, id)
		svc.urls = append(svc.urls, r.URL.String())
		svc.bodies = append(svc.bodies, string(body))
		svc.mu.Unlock()
		if r.URL.Query().Get("Action") == "Fail" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>`))
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(`<SendMessageResponse><MessageId>m-1</MessageId></SendMessageResponse>`))
	}))
	t.Cleanup(ts.Close)
	return svc, ts
}

func TestAWSIntegration(t *testing.T) {
	sqs, sqsServer := newSignedService(t, false)
	s3, s3Server := newSignedService(t, true)
	dir := t.TempDir()
	eps := filepath.Join(dir, "aws-endpoints.json")
	if err := os.WriteFile(eps, []byte(`{"sqs": "`+sqsServer.URL+`", "s3": "`+s3Server.URL+`/"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDSTAGECOACH")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t")
	t.Setenv("AWS_SESSION_TOKEN", "")
	s := newSDKAPI(t, &server.Config{AWSEndpoints: eps}, "")
	ctx := servertest.Ctx()
	role := aws.String("arn:aws:iam::000000000000:role/apigateway-sqs")
	put := func(path, verb, uri string, methodParams map[string]bool, params map[string]string) {
		t.Helper()
		res := aws.String(s.res[path])
		_, err := s.api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &s.id, ResourceId: res, HttpMethod: &verb,
			AuthorizationType: aws.String("NONE"), RequestParameters: methodParams})
		s.must(err)
		_, err = s.api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &s.id, ResourceId: res, HttpMethod: &verb,
			Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(uri), Credentials: role,
			RequestParameters: params})
		s.must(err)
		for _, code := range []string{"200", "400"} {
			_, err = s.api.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &s.id, ResourceId: res, HttpMethod: &verb, StatusCode: aws.String(code),
				ResponseParameters: map[string]bool{"method.response.header.X-Type": false}})
			s.must(err)
		}
		_, err = s.api.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &s.id, ResourceId: res, HttpMethod: &verb,
			StatusCode: aws.String("200"), ResponseParameters: map[string]string{"method.response.header.X-Type": "integration.response.header.Content-Type"}})
		s.must(err)
		_, err = s.api.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &s.id, ResourceId: res, HttpMethod: &verb,
			StatusCode: aws.String("400"), SelectionPattern: aws.String(`4\d{2}`), ResponseTemplates: map[string]string{"application/json": `{"error":"the queue refused"}`}})
		s.must(err)
	}
	// Action form: SQS SendMessage, parameters mapped into the query.
	put("/a", "POST", "arn:aws:apigateway:eu-west-1:sqs:action/SendMessage?Version=2012-11-05",
		map[string]bool{"method.request.querystring.msg": true},
		map[string]string{"integration.request.querystring.QueueUrl": "'http://queue.local/000000000000/pets'", "integration.request.querystring.MessageBody": "method.request.querystring.msg"})
	// An action the service refuses: the 400 integration response.
	put("/b", "POST", "arn:aws:apigateway:eu-west-1:sqs:action/Fail", nil, nil)
	// Path form: S3 with the key from the path.
	put("/c", "PUT", "arn:aws:apigateway:us-east-1:s3:path/photos/{key}", map[string]bool{"method.request.querystring.key": true},
		map[string]string{"integration.request.path.key": "method.request.querystring.key"})
	// A service no endpoint is configured for.
	put("/proxy", "POST", "arn:aws:apigateway:us-east-1:kinesis:action/PutRecord", nil, nil)
	s.deploy()

	call := func(verb, path, body string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(verb, s.base+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		s.must(err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b), resp.Header
	}
	code, body, h := call("POST", "/a?msg=hello+world", "")
	if code != 200 || body != `<SendMessageResponse><MessageId>m-1</MessageId></SendMessageResponse>` || h.Get("X-Type") != "text/xml" {
		t.Fatalf("SendMessage: %d %s %v", code, body, h)
	}
	if len(sqs.got) != 1 || sqs.got[0].Service != "sqs" || sqs.got[0].Region != "eu-west-1" || sqs.got[0].AccessKeyID != "AKIDSTAGECOACH" {
		t.Fatalf("signature scope: %+v", sqs.got)
	}
	if u := sqs.urls[0]; !strings.HasPrefix(u, "/?Action=SendMessage&") || !strings.Contains(u, "Version=2012-11-05") || !strings.Contains(u, "MessageBody=hello%20world") ||
		!strings.Contains(u, "QueueUrl=http%3A%2F%2Fqueue.local%2F000000000000%2Fpets") {
		t.Errorf("SQS request URL %s", u)
	}
	if code, body, _ := call("POST", "/b", ""); code != 400 || body != `{"error":"the queue refused"}` {
		t.Errorf("refused action: %d %s", code, body)
	}
	if code, body, _ := call("PUT", "/c?key=cat.png", "PNGDATA"); code != 200 || len(s3.got) != 1 || s3.got[0].Service != "s3" ||
		s3.urls[0] != "/photos/cat.png" || s3.bodies[0] != "PNGDATA" {
		t.Errorf("S3 put: %d %s %+v %v %v", code, body, s3.got, s3.urls, s3.bodies)
	}
	if code, body, _ := call("POST", "/proxy", ""); code != 500 || body != `{"message": "Internal server error"}` {
		t.Errorf("no endpoint: %d %s", code, body)
	}
}

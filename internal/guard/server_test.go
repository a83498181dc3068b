package guard_test

// Whole-gateway tests: a servertest server started with a credentials
// file, driven by aws-sdk-go-v2's clients and signer. Every refused call
// is checked for AWS's status, error type and message, and for leaving
// the store unchanged.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

const (
	goodKey    = "AKIASTAGECOACHTEST"
	goodSecret = "s3cr3t/with+chars"
	msgBadSig  = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func startWithCredentials(t *testing.T) *servertest.Env {
	t.Helper()
	creds := servertest.CredentialsFile(t, map[string][2]string{"ci": {goodKey, goodSecret}})
	return servertest.Start(t, &server.Config{Credentials: creds})
}

// apiNames lists the REST APIs, as the right key sees them.
func apiNames(t *testing.T, env *servertest.Env) []string {
	t.Helper()
	out, err := apigateway.NewFromConfig(env.AWSConfigFor(goodKey, goodSecret)).GetRestApis(servertest.Ctx(), &apigateway.GetRestApisInput{})
	if err != nil {
		t.Fatalf("GetRestApis with the right key: %v", err)
	}
	var names []string
	for _, a := range out.Items {
		names = append(names, aws.ToString(a.Name))
	}
	return names
}

// wantAPIError checks an SDK error's code, HTTP status and message.
func wantAPIError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v has no HTTP response", err)
	}
	if ae.ErrorCode() != code || re.HTTPStatusCode() != status || ae.ErrorMessage() != msg {
		t.Fatalf("got %s %d %q\nwant %s %d %q", ae.ErrorCode(), re.HTTPStatusCode(), ae.ErrorMessage(), code, status, msg)
	}
}

func TestSDKClientsWithCredentials(t *testing.T) {
	env := startWithCredentials(t)
	ctx := servertest.Ctx()
	good := env.AWSConfigFor(goodKey, goodSecret)

	if _, err := apigateway.NewFromConfig(good).CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("signed")}); err != nil {
		t.Fatalf("CreateRestApi with the right key: %v", err)
	}
	if _, err := cloudcontrol.NewFromConfig(good).ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String("AWS::ApiGateway::RestApi")}); err != nil {
		t.Fatalf("Cloud Control with the right key: %v", err)
	}
	if _, err := cloudwatchlogs.NewFromConfig(good).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatalf("Logs with the right key: %v", err)
	}
	if _, err := cloudwatch.NewFromConfig(good).ListMetrics(ctx, &cloudwatch.ListMetricsInput{}); err != nil {
		t.Fatalf("CloudWatch (RPC v2 CBOR) with the right key: %v", err)
	}

	for _, tc := range []struct {
		name        string
		key, secret string
		code, msg   string
	}{
		{"unknown key", "AKIANOBODY", goodSecret, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"wrong secret", goodKey, "wrong", "InvalidSignatureException", msgBadSig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := env.AWSConfigFor(tc.key, tc.secret)
			_, err := apigateway.NewFromConfig(cfg).CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("evil")})
			wantAPIError(t, err, tc.code, 403, tc.msg)
			_, err = cloudcontrol.NewFromConfig(cfg).CreateResource(ctx, &cloudcontrol.CreateResourceInput{
				TypeName: aws.String("AWS::ApiGateway::RestApi"), DesiredState: aws.String(`{"Name":"evil"}`)})
			wantAPIError(t, err, tc.code, 403, tc.msg)
			_, err = cloudwatchlogs.NewFromConfig(cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("evil")})
			wantAPIError(t, err, tc.code, 403, tc.msg)
			_, err = cloudwatch.NewFromConfig(cfg).ListMetrics(ctx, &cloudwatch.ListMetricsInput{})
			wantAPIError(t, err, tc.code, 403, tc.msg)
		})
	}
	if got := apiNames(t, env); len(got) != 1 || got[0] != "signed" {
		t.Fatalf("APIs after refused calls: %v", got)
	}
	groups, err := cloudwatchlogs.NewFromConfig(good).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(groups.LogGroups) != 0 {
		t.Fatalf("log groups after refused calls: %v %v", groups, err)
	}
}

// rawCall sends a request signed (or presigned) by the SDK's signer at a
// chosen time and returns status, error type and message.
func rawCall(t *testing.T, r *http.Request) (int, string, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var doc struct {
		Message string `json:"message"`
	}
	json.Unmarshal(b, &doc)
	return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), doc.Message
}

func emptyHash() string {
	s := sha256.Sum256(nil)
	return hex.EncodeToString(s[:])
}

func TestExpiredAndPresigned(t *testing.T) {
	env := startWithCredentials(t)
	creds := aws.Credentials{AccessKeyID: goodKey, SecretAccessKey: goodSecret}
	signer := v4.NewSigner()
	ctx := context.Background()

	t.Run("expired", func(t *testing.T) {
		r, _ := http.NewRequest("POST", env.URL+"/restapis", strings.NewReader(`{"name":"late"}`))
		r.Header.Set("Content-Type", "application/json")
		body := sha256.Sum256([]byte(`{"name":"late"}`))
		at := time.Now().UTC().Add(-20 * time.Minute).Truncate(time.Second)
		signer.SignHTTP(ctx, creds, r, hex.EncodeToString(body[:]), "apigateway", "us-east-1", at)
		status, typ, msg := rawCall(t, r)
		prefix := "Signature expired: " + at.Format("20060102T150405Z") + " is now earlier than "
		if status != 403 || typ != "InvalidSignatureException" || !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, " - 5 min.)") {
			t.Fatalf("got %d %s %q", status, typ, msg)
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		r, _ := http.NewRequest("DELETE", env.URL+"/restapis/abc", nil)
		if status, typ, msg := rawCall(t, r); status != 403 || typ != "MissingAuthenticationTokenException" || msg != "Missing Authentication Token" {
			t.Fatalf("got %d %s %q", status, typ, msg)
		}
	})
	presign := func(expires string, at time.Time) *http.Request {
		r, _ := http.NewRequest("GET", env.URL+"/restapis?X-Amz-Expires="+expires, nil)
		u, _, err := signer.PresignHTTP(ctx, creds, r, emptyHash(), "apigateway", "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		pr, _ := http.NewRequest("GET", u, nil)
		return pr
	}
	t.Run("presigned", func(t *testing.T) {
		if status, typ, msg := rawCall(t, presign("300", time.Now().UTC())); status != 200 {
			t.Fatalf("got %d %s %q", status, typ, msg)
		}
	})
	t.Run("presigned expired", func(t *testing.T) {
		at := time.Now().UTC().Add(-10 * time.Minute)
		status, typ, msg := rawCall(t, presign("60", at))
		if status != 403 || typ != "InvalidSignatureException" || !strings.HasPrefix(msg, "Signature expired: "+at.Format("20060102T150405Z")) {
			t.Fatalf("got %d %s %q", status, typ, msg)
		}
	})
	if got := apiNames(t, env); len(got) != 0 {
		t.Fatalf("APIs after refused calls: %v", got)
	}
}

// TestBrowserAttacksOnTheWire: the DNS-rebinding Host and a cross-origin
// text/plain POST are refused in developer mode too, and change nothing;
// execute-api Hosts still reach the data plane.
func TestBrowserAttacksOnTheWire(t *testing.T) {
	env := servertest.Start(t, nil)
	api := env.APIGateway()
	ctx := servertest.Ctx()
	created, err := api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("victim")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.Id)

	do := func(method, path, host string, hdr map[string]string, body string) (int, string) {
		r, _ := http.NewRequest(method, env.URL+path, strings.NewReader(body))
		if host != "" {
			r.Host = host
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := do("DELETE", "/restapis/"+id, "evil.example:4566", nil, ""); status != 403 || !strings.Contains(body, "is not allowed") {
		t.Fatalf("rebinding DELETE: %d %s", status, body)
	}
	if status, body := do("GET", "/restapis", "evil.example", nil, ""); status != 403 {
		t.Fatalf("rebinding GET: %d %s", status, body)
	}
	if status, body := do("GET", "/console/", "evil.example", nil, ""); status != 403 {
		t.Fatalf("rebinding console: %d %s", status, body)
	}
	status, body := do("POST", "/restapis/"+id+"/deployments", "", map[string]string{
		"Content-Type": "text/plain", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, `{"stageName":"pwned"}`)
	if status != 403 {
		t.Fatalf("cross-origin POST: %d %s", status, body)
	}
	status, body = do("POST", "/restapis/"+id+"/deployments", "", map[string]string{"Content-Type": "text/plain"}, `{"stageName":"pwned"}`)
	if status != 415 {
		t.Fatalf("text/plain POST: %d %s", status, body)
	}
	// execute-api Hosts are the data plane's, whatever the name.
	status, body = do("GET", "/prod/x", id+".execute-api.evil.example", nil, "")
	if strings.Contains(body, "is not allowed for management") {
		t.Fatalf("execute-api Host hit the guard: %d %s", status, body)
	}
	if status, _ := do("GET", "/_stagecoach/health", "evil.example", nil, ""); status != 200 {
		t.Fatalf("health behind the host check: %d", status)
	}
	deps, err := api.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: aws.String(id)})
	if err != nil || len(deps.Items) != 0 {
		t.Fatalf("deployments after refused calls: %v %v", deps, err)
	}
	if _, err := api.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(id)}); err != nil {
		t.Fatalf("API gone after a refused DELETE: %v", err)
	}
}

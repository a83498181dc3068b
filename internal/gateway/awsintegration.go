package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// AWS service integrations (type AWS): the integration URI names a
// service API, arn:aws:apigateway:{region}:{service}:action/{Action}[?query]
// or arn:aws:apigateway:{region}:{service}:path/{path}, and API Gateway
// calls it SigV4-signed. Stagecoach sends the call to the endpoint
// configured for the service (serve --aws-endpoints: LocalStack, MinIO,
// ElasticMQ, DynamoDB Local, ...), signed with the serve process's
// credentials. The integration's credentials role ARN is kept, but no role
// is assumed. Otherwise the call is an HTTP (non-proxy) integration:
// request parameters, the request template's body, integration responses
// chosen by the service's status code.

// LoadAWSEndpoints reads a --aws-endpoints file: a JSON object mapping a
// service name, as it appears in integration ARNs, to the base URL of a
// local implementation, e.g.
//
//	{"sqs": "http://127.0.0.1:9324", "dynamodb": "http://127.0.0.1:8000"}
func LoadAWSEndpoints(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("aws endpoints: %w", err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("aws endpoints %s: want a JSON object of service name to URL: %w", path, err)
	}
	for k, v := range m {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("aws endpoints %s: %q: %q is not an http(s) URL", path, k, v)
		}
		m[k] = strings.TrimSuffix(v, "/")
	}
	return m, nil
}

// AWSCredentialsFromEnv returns the credentials AWS integrations are
// signed with: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN of the serve process; nil when they are not set.
func AWSCredentialsFromEnv() *aws.Credentials {
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return nil
	}
	return &aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN"), Source: "environment"}
}

// awsTarget is a parsed AWS integration URI.
type awsTarget struct {
	region  string
	service string // signing name: "s3" for "bucket.s3"
	key     string // the ARN's service part, "bucket.s3", for endpoint lookup
	action  string // action/{Action}; "" for the path form
	path    string // path/{path} (may hold {param} placeholders)
	query   string // the action form's ?query
}

// parseAWSURI parses arn:aws:apigateway:{region}:{service}:{action|path}/...
func parseAWSURI(uri string) (awsTarget, error) {
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "apigateway" || parts[3] == "" || parts[4] == "" {
		return awsTarget{}, fmt.Errorf("AWS integration uri %q is not arn:aws:apigateway:{region}:{service}:{action|path}/...", uri)
	}
	t := awsTarget{region: parts[3], key: parts[4], service: parts[4]}
	if i := strings.LastIndexByte(t.service, '.'); i >= 0 {
		t.service = t.service[i+1:]
	}
	kind, rest, _ := strings.Cut(parts[5], "/")
	switch kind {
	case "action":
		t.action, t.query, _ = strings.Cut(rest, "?")
		if t.action == "" {
			return awsTarget{}, fmt.Errorf("AWS integration uri %q names no action", uri)
		}
	case "path":
		t.path = rest
	default:
		return awsTarget{}, fmt.Errorf("AWS integration uri %q must contain path or action", uri)
	}
	return t, nil
}

// endpoint returns the configured base URL for the target's service.
func (t awsTarget) endpoint(eps map[string]string) (string, bool) {
	if ep, ok := eps[t.key]; ok {
		return ep, true
	}
	ep, ok := eps[t.service]
	return ep, ok
}

// url is the request URL the integration calls: the endpoint with the
// path, or "/" with Action={Action} and the ARN's query.
func (t awsTarget) url(endpoint string) string {
	if t.action == "" {
		return endpoint + "/" + t.path
	}
	u := endpoint + "/?Action=" + url.QueryEscape(t.action)
	if t.query != "" {
		u += "&" + t.query
	}
	return u
}

// awsIntegration compiles a type AWS integration. A service without an
// endpoint, or a server without credentials, compiles into a handler that
// answers 500 and says why in the execution log.
func (c *compiler) awsIntegration(v *variant, m *method, am *apigw.Method, in *apigw.Integration) (handler, []error) {
	t, err := parseAWSURI(expandStageVariables(in.URI, v.vars))
	if err != nil {
		return nil, []error{err}
	}
	if t.service == "lambda" && t.action == "" {
		return c.lambdaIntegration(v, m, am, in) // lambdaintegration.go
	}
	if _, ok := t.endpoint(c.g.opts.AWSEndpoints); !ok {
		why := "No endpoint is configured for AWS service '" + t.key + "': map it in the --aws-endpoints file"
		c.warn(v, m, "AWS integration has no endpoint; calls answer 500 until --aws-endpoints maps the service", "service", t.key)
		return configurationFailure(why), nil
	}
	if c.g.opts.AWSCredentials == nil {
		why := "No credentials to sign the call to AWS service '" + t.key + "': set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for stagecoach serve"
		c.warn(v, m, "AWS integration cannot be signed: the server has no AWS credentials", "service", t.key)
		return configurationFailure(why), nil
	}
	h, errs := c.httpIntegration(v, am, in)
	if h == nil {
		return nil, errs
	}
	// The HTTP plan notes an HTTP call; logs and $context name it AWS.
	return func(inv *invocation) {
		h(inv)
		if inv.obs.integrationType == httpType {
			inv.obs.integrationType = awsType
		}
	}, errs
}

// configurationFailure answers 500 (API_CONFIGURATION_ERROR) with why as
// the execution log's failure line.
func configurationFailure(why string) handler {
	return func(inv *invocation) {
		inv.integrationStarted(awsType)
		inv.integrationFailed(why)
		respConfigurationError.write(inv)
	}
}

// awsType is the AWS integration type as logs name it.
const awsType = "AWS"

// backendURI is the URI an HTTP-style integration calls: the integration's
// own for HTTP, the service endpoint's for AWS (awsIntegration checked it
// is configured).
func (c *compiler) backendURI(v *variant, in *apigw.Integration) string {
	uri := expandStageVariables(in.URI, v.vars)
	if in.Type != apigw.IntegrationAWS {
		return uri
	}
	t, err := parseAWSURI(uri)
	if err != nil {
		return uri
	}
	ep, _ := t.endpoint(c.g.opts.AWSEndpoints)
	return t.url(ep)
}

// signedTransport wraps an AWS integration's transport with SigV4 signing
// for its service and region; other integrations keep base.
func (c *compiler) signedTransport(v *variant, in *apigw.Integration, base http.RoundTripper) http.RoundTripper {
	if in.Type != apigw.IntegrationAWS || c.g.opts.AWSCredentials == nil {
		return base
	}
	t, err := parseAWSURI(expandStageVariables(in.URI, v.vars))
	if err != nil {
		return base
	}
	return &sigv4Transport{base: base, signer: v4.NewSigner(), creds: *c.g.opts.AWSCredentials, service: t.service, region: t.region}
}

// sigv4Transport signs each request with aws-sdk-go-v2's SigV4 signer.
type sigv4Transport struct {
	base    http.RoundTripper
	signer  *v4.Signer
	creds   aws.Credentials
	service string
	region  string
}

func (s *sigv4Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.GetBody != nil {
		rc, err := r.GetBody()
		if err != nil {
			return nil, err
		}
		body, err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	out := r.Clone(r.Context())
	if len(body) > 0 {
		out.Body = io.NopCloser(bytes.NewReader(body))
	}
	// S3 requires the payload hash as a header; other services ignore it.
	out.Header.Set("X-Amz-Content-Sha256", hash)
	if err := s.signer.SignHTTP(context.WithoutCancel(r.Context()), s.creds, out, hash, s.service, s.region, time.Now()); err != nil {
		return nil, fmt.Errorf("sign the request to %s: %w", s.service, err)
	}
	return s.base.RoundTrip(out)
}

// Package telemetry records what the data plane did with each request:
// execution logs, access logs and metrics, the way API Gateway reports
// them to CloudWatch (data-plane.md §7–9).
//
// This package holds only the RequestEvent the gateway fills in; the
// subpackages turn it into output:
//
//	accesslog  accessLogSettings.format, compiled once, rendered per request
//	execlog    execution log lines (ERROR / INFO / dataTrace)
//	logstore   the embedded CloudWatch-Logs-like store (its own SQLite file)
//	logsapi    the Logs_20140328.* API over logstore
//	metrics    Prometheus metrics and the per-stage in-memory time series
//	recorder   the non-blocking Recorder the gateway calls per request
package telemetry

import (
	"net/http"
	"time"
)

// RequestEvent is everything one data-plane request leaves behind for the
// $context variables of access logs, the execution log and the metrics.
//
// The gateway fills it while serving (see recorder.Recorder.Record) and
// hands it over once the response is written. Zero values mean "not
// available" and render as "-" in access logs. Durations are wall-clock;
// they are rendered in whole milliseconds as AWS does.
type RequestEvent struct {
	// API and stage.
	AccountID    string // $context.accountId
	APIID        string // $context.apiId
	Stage        string // $context.stage
	DeploymentID string // $context.deploymentId: the deployment that served (canary's for canary requests)
	Canary       bool   // $context.isCanaryRequest; also routes logs to the /Canary groups

	// The request as received.
	RequestID         string    // $context.requestId (x-amzn-RequestId)
	ExtendedRequestID string    // $context.extendedRequestId (x-amz-apigw-id)
	RequestTime       time.Time // when the request arrived; $context.requestTime / requestTimeEpoch
	HTTPMethod        string    // $context.httpMethod
	Path              string    // $context.path: "/{stage}/pets/1", as requested (escaped)
	Protocol          string    // $context.protocol, e.g. "HTTP/1.1"
	DomainName        string    // $context.domainName: the Host used
	XRayTraceID       string    // $context.xrayTraceId

	// The matched resource; empty when no resource/method matched.
	ResourceID   string // $context.resourceId
	ResourcePath string // $context.resourcePath: the template, "/pets/{petId}"
	// APIKeyRequired is the method's apiKeyRequired: the execution log's
	// usage plan lines differ (Identity.APIKey is the key presented).
	APIKeyRequired bool

	Identity   Identity
	Authorizer Authorizer

	// Method request parts for the execution log. Headers is the request's
	// header map as received (r.Header may be passed as is); RawQuery is
	// the query string without "?" (parsed only when a log needs it).
	PathParams []Param
	RawQuery   string
	Headers    http.Header
	// Body is the method request body; set only when the method's
	// dataTrace is on (MethodConfig.DataTrace). At most the first
	// MaxTracedBody bytes are needed.
	Body []byte

	// Cache is the cache outcome; CacheNone when caching did not apply.
	Cache CacheResult

	// Integration. IntegrationType is "MOCK", "HTTP", "HTTP_PROXY",
	// "AWS_PROXY"... ; empty when no integration ran (throttled, no route).
	IntegrationType         string
	EndpointRequestURI      string        // the backend URL called
	EndpointRequestHeaders  http.Header   // dataTrace only
	EndpointRequestBody     []byte        // dataTrace only
	IntegrationRequestID    string        // $context.integration.requestId / awsEndpointRequestId
	IntegrationStatus       int           // backend (or Lambda function) status; 0 if none
	IntegrationCallStatus   int           // AWS_PROXY: the Lambda invoke status; 0 = same as IntegrationStatus
	IntegrationLatency      time.Duration // relay to backend → backend response
	IntegrationError        string        // why the integration failed; $context.integrationErrorMessage
	EndpointResponseHeaders http.Header   // dataTrace only
	EndpointResponseBody    []byte        // dataTrace only, before transformations

	// The method response.
	Status          int           // $context.status
	ResponseLength  int64         // $context.responseLength: body bytes sent
	ResponseLatency time.Duration // $context.responseLatency: received → response sent
	ResponseHeaders http.Header   // dataTrace only (w.Header() may be passed as is)
	ResponseBody    []byte        // dataTrace only, after transformations

	// Gateway errors. ErrorResponseType is the gateway response type
	// (data-plane.md §10, e.g. "THROTTLED") when the gateway itself
	// answered; empty when the integration's answer was returned.
	ErrorResponseType     string // $context.error.responseType
	ErrorMessage          string // $context.error.message, e.g. "Too Many Requests"
	ValidationErrorString string // $context.error.validationErrorString

	// Rarely used context, for completeness of $context.
	CustomDomainBasePathMatched string // $context.customDomain.basePathMatched
	WebACLArn                   string // $context.webaclArn
	WAFResponseCode             string // $context.wafResponseCode
}

// Param is one named value (a path parameter).
type Param struct {
	Name, Value string
}

// Identity is $context.identity.*.
type Identity struct {
	SourceIP                      string // $context.identity.sourceIp
	UserAgent                     string // $context.identity.userAgent
	Caller                        string
	User                          string
	UserArn                       string
	AccountID                     string
	AccessKey                     string // AWS_IAM callers' access key id
	APIKey                        string
	APIKeyID                      string
	PrincipalOrgID                string
	CognitoIdentityID             string
	CognitoIdentityPoolID         string
	CognitoAuthenticationType     string
	CognitoAuthenticationProvider string
	VpcID                         string
	VpceID                        string
	ClientCert                    *ClientCert // mutual TLS only
}

// ClientCert is $context.identity.clientCert.*.
type ClientCert struct {
	ClientCertPem string
	SubjectDN     string
	IssuerDN      string
	SerialNumber  string
	NotBefore     string // validity.notBefore, as AWS prints it
	NotAfter      string // validity.notAfter
}

// Authorizer is $context.authorizer.*, $context.authorize.* and
// $context.authenticate.*, filled from the method's authorizer (Lambda or
// Cognito); "-" for methods without one.
type Authorizer struct {
	// ID is the authorizer that ran ("" for methods without one); Cached
	// says its answer came from the stage's authorizer cache.
	ID                 string
	Cached             bool
	PrincipalID        string
	Claims             map[string]string // $context.authorizer.claims.{name}
	Context            map[string]string // $context.authorizer.{key}
	Error              string
	IntegrationLatency time.Duration
	IntegrationStatus  int
	Latency            time.Duration
	RequestID          string
	Status             int
	Authorize          Phase // $context.authorize.*
	Authenticate       Phase // $context.authenticate.*
}

// Phase is one step's outcome: error message, latency, status.
type Phase struct {
	Error   string
	Latency time.Duration
	Status  int
}

// CacheResult is what the stage cache did for a request.
type CacheResult uint8

// Cache outcomes. CacheMiss means caching applied to the method and the
// integration answered (CloudWatch's CacheMissCount).
const (
	CacheNone CacheResult = iota
	CacheHit
	CacheMiss
)

// Gateway response types the telemetry treats specially.
const (
	ResponseThrottled          = "THROTTLED"
	ResponseIntegrationTimeout = "INTEGRATION_TIMEOUT"
	ResponseIntegrationFailure = "INTEGRATION_FAILURE"
)

// MaxTracedBody is how much of a body the execution log shows; the rest
// is cut with " [TRUNCATED]". AWS truncates execution log events at 1 KB
// (developer guide, "Standard execution logging"), so capturing more is
// wasted work.
const MaxTracedBody = 1000

// IntegrationCalled reports whether a backend call was attempted.
func (e *RequestEvent) IntegrationCalled() bool {
	return e.IntegrationStatus != 0 || e.IntegrationError != "" || e.IntegrationLatency > 0
}

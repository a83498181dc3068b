package apigw

// TestInvokeRequest is the body of TestInvokeMethod: a request to run
// through a method as it is configured now, without a deployment.
type TestInvokeRequest struct {
	PathWithQueryString string              `json:"pathWithQueryString,omitempty"`
	Body                string              `json:"body,omitempty"`
	Headers             map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders,omitempty"`
	ClientCertificateID string              `json:"clientCertificateId,omitempty"`
	StageVariables      map[string]string   `json:"stageVariables,omitempty"`
}

// TestInvokeResult is TestInvokeMethod's answer: the method response and
// the request's execution log text. Latency is in milliseconds.
type TestInvokeResult struct {
	Status            int                 `json:"status"`
	Body              string              `json:"body"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Log               string              `json:"log"`
	Latency           int64               `json:"latency"`
}

// TestInvokeStage is the stage name a test invocation runs in
// ($context.stage), as on AWS.
const TestInvokeStage = "test-invoke-stage"

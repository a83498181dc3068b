package gateway

import (
	"context"
	"fmt"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// Lambda through a type AWS (non-proxy) integration
// (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations):
// the request template's output is the function's event, sent to the
// function's local runtime (--lambda-endpoints, as for AWS_PROXY); the
// function's result is the integration response body. A function error's
// errorMessage is what selectionPattern matches (AWS: "for Lambda, the
// error message"); a success has an empty one, so the default response
// answers.
type lambdaAWSPlan struct {
	g           *Gateway
	functionARN string
	endpoint    string
	timeout     time.Duration
	body        bodyPlan
	responses   *responseSet
}

func (c *compiler) lambdaIntegration(v *variant, m *method, am *apigw.Method, in *apigw.Integration) (handler, []error) {
	uri := expandStageVariables(in.URI, v.vars)
	fn := functionFromURI(uri)
	if fn == "" {
		return nil, []error{fmt.Errorf("AWS uri %q is not a Lambda invocation URI", uri)}
	}
	body, errs := newBodyPlan(in)
	responses, rerrs := compileResponses(in, am, v.vars)
	errs = append(errs, rerrs...)
	p := &lambdaAWSPlan{g: c.g, functionARN: fn, endpoint: c.lambdaEndpoint(fn), timeout: timeoutOf(in), body: body, responses: responses}
	if p.endpoint == "" {
		c.warn(v, m, "no local endpoint for Lambda function; calls answer 500 until --lambda-endpoints maps it", "function", fn)
		return configurationFailure("No local endpoint for Lambda function " + fn + ": map it in the --lambda-endpoints file"), errs
	}
	return p.serve, errs
}

func (p *lambdaAWSPlan) serve(inv *invocation) {
	r := inv.r
	in, err := readBody(r)
	if err != nil {
		p.g.writeBackendError(inv, r.Context(), err, "Lambda request body")
		return
	}
	inv.reqBody = in
	event, _, _, ok := p.body.resolve(inv, in)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.timeout)
	defer cancel()
	req, err := newFunctionRequest(ctx, p.endpoint, event, inv.traceHeader())
	if err != nil {
		p.g.writeBackendError(inv, ctx, err, "Lambda "+p.functionARN)
		return
	}
	inv.integrationStarted(awsType)
	inv.endpointRequest(req.URL, req.Header, event)
	ans, err := p.g.invokeFunction(req)
	if err != nil {
		p.g.writeBackendError(inv, ctx, err, "Lambda "+p.functionARN)
		return
	}
	inv.integrationAnswered(ans.status, ans.header, ans.body)
	errorMessage := ""
	if ans.failed() {
		if errorMessage = ans.errorMessage(); errorMessage == "" {
			errorMessage = string(ans.body)
		}
	}
	writeIntegrationResponse(inv, p.responses.pick(errorMessage), ans.header, ans.body)
}

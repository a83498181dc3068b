package gateway

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// mockPlan is a compiled MOCK integration: no backend, the request
// template's statusCode selects the integration response.
type mockPlan struct {
	body      bodyPlan
	responses *responseSet
}

// statusCodeField finds `"statusCode": 200` in a request template or a
// passed-through body. Templates usually are exactly {"statusCode": 200};
// the pattern also copes with templates that add Velocity around it.
var statusCodeField = regexp.MustCompile(`"statusCode"\s*:\s*"?(\d{3})\b`)

func (c *compiler) mock(v *variant, am *apigw.Method, in *apigw.Integration) (handler, []error) {
	responses, errs := compileResponses(in, am, v.vars)
	for ct, t := range in.IntegrationResponses {
		for rct, text := range t.ResponseTemplates {
			if containsDirective(text) {
				errs = append(errs, fmt.Errorf("integration response %s template for %s uses Velocity, which this build does not evaluate: the body is left empty", ct, rct))
			}
		}
	}
	p := &mockPlan{
		body:      bodyPlan{templates: compileTemplates(in.RequestTemplates), passthrough: in.PassthroughBehavior},
		responses: responses,
	}
	if p.body.passthrough == "" {
		p.body.passthrough = passWhenNoMatch
	}
	return p.serve, errs
}

func containsDirective(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '$' || s[i] == '#' {
			return true
		}
	}
	return false
}

func (p *mockPlan) serve(inv *invocation) {
	in, err := readBody(inv.r)
	if err != nil {
		respRequestTooLarge.write(inv.w)
		return
	}
	// The integration request is the template output (static templates)
	// or the passed-through body; its statusCode picks the response.
	req, _, ok := p.body.resolve(inv.r, in)
	if !ok {
		respUnsupportedMediaType.write(inv.w)
		return
	}
	if t, found := p.body.templates[requestMediaType(inv.r)]; found && t.dynamic {
		// A Velocity template is not evaluated, but its statusCode is
		// usually literal: read it from the template text.
		req = []byte(t.text)
	}
	status := "200"
	if m := statusCodeField.FindSubmatch(req); m != nil {
		if n, err := strconv.Atoi(string(m[1])); err == nil && n >= 100 && n <= 599 {
			status = string(m[1])
		}
	}
	inv.mockAnswered()
	writeIntegrationResponse(inv, p.responses.pick(status), nil, nil)
}

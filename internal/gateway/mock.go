package gateway

import (
	"bytes"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// mockPlan is a compiled MOCK integration: no backend, the request
// template's statusCode selects the integration response.
type mockPlan struct {
	body      bodyPlan
	responses *responseSet
}

// mockStatusCode finds `"statusCode": 200` (or "200") in a request
// template or a passed-through body and returns the three digits, or ""
// when there is none. Templates usually are exactly {"statusCode": 200};
// scanning for the field also copes with templates that add Velocity
// around it. It is a hand-written scan because it runs per request for
// passed-through bodies.
func mockStatusCode(b []byte) string {
	const field = `"statusCode"`
	for {
		i := bytes.Index(b, []byte(field))
		if i < 0 {
			return ""
		}
		b = b[i+len(field):]
		j := skipSpace(b, 0)
		if j >= len(b) || b[j] != ':' {
			continue
		}
		j = skipSpace(b, j+1)
		if j < len(b) && b[j] == '"' {
			j++
		}
		if j+3 > len(b) || !isDigit(b[j]) || !isDigit(b[j+1]) || !isDigit(b[j+2]) {
			continue
		}
		if j+3 < len(b) && (isDigit(b[j+3]) || isWordByte(b[j+3])) {
			continue
		}
		if b[j] == '0' {
			continue // not an HTTP status (100-599)
		}
		if b[j] > '5' {
			continue
		}
		return string(b[j : j+3])
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (c *compiler) mock(v *variant, am *apigw.Method, in *apigw.Integration) (handler, []error) {
	responses, errs := compileResponses(in, am, v.vars)
	body, berrs := newBodyPlan(in)
	p := &mockPlan{body: body, responses: responses}
	return p.serve, append(errs, berrs...)
}

func (p *mockPlan) serve(inv *invocation) {
	in, err := readBody(inv.r)
	if err != nil {
		respRequestTooLarge.write(inv)
		return
	}
	inv.reqBody = in
	// The integration request is the request template's output (or the
	// passed-through body); its statusCode picks the response.
	req, _, _, ok := p.body.resolve(inv, in)
	if !ok {
		return
	}
	status := mockStatusCode(req)
	if status == "" {
		status = "200"
	}
	inv.mockAnswered()
	writeIntegrationResponse(inv, p.responses.pick(status), nil, nil)
}

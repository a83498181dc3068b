package gateway

import (
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func TestGatewayResponseTypeOrder(t *testing.T) {
	if int(numGWTypes) != len(apigw.GatewayResponseTypes) {
		t.Fatalf("%d gwTypes, %d apigw types", numGWTypes, len(apigw.GatewayResponseTypes))
	}
	for name, typ := range map[string]gwType{"DEFAULT_4XX": gtDefault4XX, "THROTTLED": gtThrottled,
		"MISSING_AUTHENTICATION_TOKEN": gtMissingAuthenticationToken, "WAF_FILTERED": gtWAFFiltered,
		"AUTHORIZER_CONFIGURATION_ERROR": gtAuthorizerConfigurationError, "QUOTA_EXCEEDED": gtQuotaExceeded} {
		if typ.String() != name {
			t.Errorf("%d is %s, want %s", typ, typ, name)
		}
	}
}

func TestGatewayResponseTemplates(t *testing.T) {
	gr := newGatewayResponse(gtAccessDenied, 403, "AccessDeniedException", `{"Message":"User is not authorized to access this resource"}`)
	if gr.message != "User is not authorized to access this resource" || gr.messageJSON != `"User is not authorized to access this resource"` {
		t.Errorf("message %q / %q", gr.message, gr.messageJSON)
	}
	null := newGatewayResponse(gtAuthorizerFailure, 500, "AuthorizerConfigurationException", `{"message": null}`)
	if null.message != "" || null.messageJSON != "null" {
		t.Errorf("null message %q / %q", null.message, null.messageJSON)
	}
	cases := []struct{ text, want string }{
		{`{"m":$context.error.messageString}`, `{"m":null}`},
		{`$context.error.responseType.`, `AUTHORIZER_FAILURE.`},
		{`${context.error.message}x`, `x`},
		{`v=$stageVariables.v;$context.nope;$other`, `v=V;;$other`},
		{`cost: $5 ${context.stage`, `cost: $5 ${context.stage`},
	}
	for _, c := range cases {
		tpl := compileGWTemplate(c.text, map[string]string{"v": "V"})
		if got := string(tpl.render(&invocation{}, &null)); got != c.want {
			t.Errorf("%q rendered %q, want %q", c.text, got, c.want)
		}
	}
}

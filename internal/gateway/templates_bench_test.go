package gateway

import (
	"net/http/httptest"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// BenchmarkMockTemplates is one MOCK request through ServeInvoke with
// static templates and with Velocity templates that read parameters,
// context and stage variables and loop: the cost templates add per
// request (requests/s = 1e9 / ns/op per core).
func BenchmarkMockTemplates(b *testing.B) {
	e := newTestEnv(b, Options{})
	e.setAccountLimits(1e12, 1<<40)
	ab := newAPIBuilder("benchvtl01")
	ab.method("/static", "GET", mockIntegration("200", `[{"id": 1, "type": "dog"}, {"id": 2, "type": "cat"}]`))
	ab.method("/pets/{id}", "GET", &apigw.Integration{
		Type: apigw.IntegrationMock,
		RequestTemplates: map[string]string{"application/json": `#if($input.params('id') != "")
{"statusCode": 200}
#else
{"statusCode": 404}
#end`},
		IntegrationResponses: map[string]*apigw.IntegrationResponse{"200": {StatusCode: "200",
			ResponseTemplates: map[string]string{"application/json": `#set($types = ["dog", "cat"])
[
#foreach($t in $types)
  {"id": $foreach.count, "type": "$t", "owner": "$input.params('id')", "stage": "$context.stage", "env": "$stageVariables.env"}#if($foreach.hasNext),#end

#end
]`}}},
	})
	e.deploy(ab, "prod", map[string]string{"env": "prod"})
	for _, c := range []struct{ name, path, route string }{
		{"static", "http://benchvtl01.execute-api.localhost/prod/static", "/static"},
		{"velocity", "http://benchvtl01.execute-api.localhost/prod/pets/42", "/pets/42"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", c.path, nil)
			w := &discardWriter{h: map[string][]string{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				e.gw.ServeInvoke(w, req, "benchvtl01", "prod", c.route)
				if w.status != 200 {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}

package gateway

import (
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// BenchmarkCachedAuthorizerDecision is the authorization step of a CUSTOM
// method whose TOKEN authorizer answer is in the stage's cache: identity
// read, cache key built and looked up, method ARN built, the cached
// policy evaluated (target: under 2 µs). The function is called once,
// before the loop, and the benchmark fails if it is called again.
func BenchmarkCachedAuthorizerDecision(b *testing.B) {
	fn := newLambdaRuntime(b, tokenAuthorizerFn)
	e := newTestEnv(b, Options{LambdaEndpoints: map[string]string{authFn: fn.URL}})
	ttl := 300
	v := &variant{apiID: "benchauth1", stageName: "prod", authorizers: map[string]*apigw.Authorizer{"au1": {
		ID: "au1", Name: "tok", Type: apigw.AuthorizerToken, AuthorizerURI: lambdaURI(authFn),
		IdentitySource: "method.request.header.Authorization", AuthorizerResultTTLInSeconds: &ttl}}}
	m := &method{verb: "GET", resourcePath: "/pets/{id}"}
	s := e.gw.comp.authStep(v, m, &apigw.Method{AuthorizationType: "CUSTOM", AuthorizerID: "au1"})
	passed := 0
	h := s(func(*invocation) { passed++ })
	req := httptest.NewRequest("GET", "http://benchauth1.execute-api.localhost/prod/pets/42", nil)
	req.Header.Set("Authorization", "allow-eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.bench")
	w := &discardWriter{h: http.Header{}}
	run := func() {
		inv := getInvocation(w, req)
		inv.variant, inv.method, inv.path = v, m, "/pets/42"
		h(inv)
		putInvocation(inv)
	}
	run() // fills the cache
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		run()
	}
	// CPU time per decision: on a shared machine wall time mostly
	// measures other processes.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	b.StopTimer()
	if fn.calls() != 1 || passed == 0 {
		b.Fatalf("function called %d times, %d requests passed", fn.calls(), passed)
	}
}

// processCPU is the process's user and system CPU time in nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

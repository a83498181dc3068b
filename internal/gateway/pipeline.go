package gateway

import (
	"github.com/stagecoach/stagecoach/internal/apigw"
)

// handler serves one invocation. Every step of a method's pipeline, and
// the integration at its end, is a handler.
type handler func(inv *invocation)

// step wraps the rest of a pipeline: it may answer by itself (a throttled
// request, a cache hit) or call next.
type step func(next handler) handler

// method is a deployed method compiled for one stage variant: its routing
// identity and its pipeline, built once when the stage is compiled.
type method struct {
	verb         string // the method's own verb; "ANY" for ANY
	resourceID   string
	resourcePath string
	// settingKey is the stage's methodSettings key for this method
	// ("pets/{id}/GET"), for steps that read per-method settings.
	settingKey string
	// escapedSettingKey is the same key as AWS stores it when the patch
	// path was escaped ("~1pets~1{id}/GET"); see apigw.Stage.OwnMethodSetting.
	escapedSettingKey string
	serve             handler
	tel               *methodTelemetry // recorder handle; nil without a recorder (telemetry.go)
}

// pipeline builds the ordered steps a routed request for m goes through:
//
//	match (done by the router before the pipeline runs)
//	→ throttle  — the method's token bucket (its methodSettings entry,
//	              else "*/*") chained with the account bucket; answers 429
//	              itself (throttling.go).
//	→ cache     — only when the stage cache is on and caching applies to
//	              the method; serves hits, stores misses (caching.go).
//	→ integrate → respond — the integration handler, which writes the
//	              response (HTTP_PROXY streams it).
//
// Steps are listed in execution order; a step that does not apply to this
// method is simply not in the list, so it costs nothing per request. To
// add one, append a constructor call here, built from v.stage (the stage
// document) and m; per-stage state that must survive recompiles (buckets,
// cache entries) belongs to the Gateway, looked up here by API and stage.
func (c *compiler) pipeline(v *variant, m *method, am *apigw.Method) handler {
	h := c.integration(v, m, am)
	tracing := v.stage.TracingEnabled // tracing.go
	if tracing {
		h = c.spanStep("integration")(h)
	}
	var steps []step
	if tracing {
		steps = append(steps, c.traceStep(v, m))
	}
	steps = append(steps, c.throttleStep(v, m))
	if s := c.authStep(v, m, am); s != nil { // authorizers (authstep.go)
		if tracing {
			steps = append(steps, c.spanStep("authorizer"))
		}
		steps = append(steps, s)
	}
	if s := c.apiKeyStep(v, m, am); s != nil { // API keys, after any authorizer step (apikeys.go)
		steps = append(steps, s)
	}
	if s := c.validateStep(v, m, am); s != nil { // validation.go
		steps = append(steps, s)
	}
	if s := c.cacheStep(v, m, am); s != nil {
		if tracing {
			steps = append(steps, c.spanStep("cache"))
		}
		steps = append(steps, s)
	}
	if s := c.contentHandlingStep(v, am); s != nil { // binary.go; innermost
		steps = append(steps, s)
	}
	for i := len(steps) - 1; i >= 0; i-- {
		h = steps[i](h)
	}
	return h
}

// Package throttle enforces API Gateway's request throttling: token buckets
// with AWS's rate (requests per second, fractional allowed) and burst
// (bucket capacity) at the account level and at the method level of each
// stage. A request over any limit gets 429 {"message":"Too Many Requests"};
// rendering that response is the data plane's job, this package only
// decides.
//
// # Levels and precedence
//
// AWS applies, in order (usage plans are out of scope here):
//
//  1. the method level, from the stage's methodSettings: the method's own
//     entry ("pets/{id}/GET") if it has one, else the stage default "*/*";
//  2. the account level (GetAccount throttleSettings, default 10000
//     requests/s, burst 5000), one bucket for every API and stage.
//
// A request passes only if both levels have a token (Chain). Stage limits
// are "bounded by the account-level rate limits, even if you set the
// default method throttling limits higher": that falls out of checking the
// account bucket on every request, so limits are never clamped here.
//
// The stage default "*/*" is not one bucket shared by the whole stage.
// AWS's throttling guide calls it "default per-method limits" and says
// per-API, per-stage limits "are applied at the API method level for a
// stage"; load tests reported by users agree (five methods under a 10 r/s
// stage default each get 10 r/s). So every method has its own bucket,
// sized by its own entry or by "*/*" (ResolveMethodLimit, MethodLimit).
// Canary traffic uses the stage's method settings, hence the same buckets.
//
// # Special values
//
// Rate or burst negative (AWS's -1, what Terraform sends for "unset"):
// no limit at that level, the other level still applies. Burst 0 (so in
// particular rate 0 and burst 0): reject every request. Rate 0 with a
// positive burst: the bucket never refills. See Limit.
//
// # Mechanism
//
// Bucket is GCRA over one atomic int64 (the theoretical arrival time): an
// accepted request is one compare-and-swap, a rejected one a single load,
// with no lock and no allocation. Buckets start full. A Chain takes the
// method token first and refunds it if the account bucket says no, so a
// rejected request consumes no token at any level.
//
// Limits change in place: Set.Bucket / Set.Limiter called again for the
// same Scope with a new Limit updates that bucket (keeping its token count,
// capped at the new burst) and leaves every other bucket alone; Limiters
// handed out earlier see the change at once. The intended use is to build a
// stage's per-method Limiters when its routing snapshot is built (on deploy
// and on every update-stage) and to call Allow on each request.
//
// Time comes from a Clock. SystemClock reads the monotonic clock;
// ManualClock makes tests and the accuracy benchmarks deterministic.
//
// # Wiring sketch
//
//	limits := throttle.NewSet(throttle.SystemClock{}, throttle.AccountLimit(acct.ThrottleSettings))
//	// for each method of a stage's snapshot:
//	lim := limits.Limiter(throttle.Scope{RestAPIID: api, Stage: st.StageName,
//		Method: apigw.MethodSettingKey(res.Path, verb)}, throttle.MethodLimit(st, res.Path, verb))
//	// per request:
//	if !lim.Allow() { /* 429 THROTTLED */ }
//
// Limiter is an interface so that a cluster-wide limiter (GCRA in Redis,
// all levels of a request in one script) can replace Set later.
package throttle

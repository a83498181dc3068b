package throttle

import (
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func setting(rate float64, burst int) apigw.MethodSetting {
	ms := apigw.NewMethodSetting(apigw.ThrottleSettings{})
	ms.ThrottlingRateLimit, ms.ThrottlingBurstLimit = rate, burst
	return ms
}

func scope(method string) Scope {
	return Scope{RestAPIID: "a1b2c3", Stage: "prod", Method: method}
}

// TestMethodLimitPrecedence checks which methodSettings entry sizes a
// method's bucket.
func TestMethodLimitPrecedence(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]apigw.MethodSetting
		want     Limit
	}{
		{"no settings: no method-level limit", nil, Unlimited},
		{"stage default applies", map[string]apigw.MethodSetting{"*/*": setting(10, 20)}, Limit{Rate: 10, Burst: 20}},
		{"method entry overrides the stage default", map[string]apigw.MethodSetting{
			"*/*": setting(10, 20), "pets/{petId}/GET": setting(1, 2)}, Limit{Rate: 1, Burst: 2}},
		{"method entry may exceed the stage default", map[string]apigw.MethodSetting{
			"*/*": setting(10, 20), "pets/{petId}/GET": setting(500, 1000)}, Limit{Rate: 500, Burst: 1000}},
		{"another method's entry does not apply", map[string]apigw.MethodSetting{
			"*/*": setting(10, 20), "pets/{petId}/POST": setting(1, 2)}, Limit{Rate: 10, Burst: 20}},
		{"method entry without stage default", map[string]apigw.MethodSetting{"pets/{petId}/GET": setting(1, 2)}, Limit{Rate: 1, Burst: 2}},
		{"method -1 switches the method level off", map[string]apigw.MethodSetting{
			"*/*": setting(10, 20), "pets/{petId}/GET": setting(-1, -1)}, Unlimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &apigw.Stage{StageName: "prod", MethodSettings: tt.settings}
			if got := MethodLimit(st, "/pets/{petId}", "GET"); got != tt.want {
				t.Fatalf("MethodLimit = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestChainAppliesMethodAndAccountLevels sends 100 simultaneous requests to
// GET /pets through the stage's limiter and counts what passes.
func TestChainAppliesMethodAndAccountLevels(t *testing.T) {
	tests := []struct {
		name     string
		account  apigw.ThrottleSettings
		settings map[string]apigw.MethodSetting
		want     int
	}{
		{"account default only", apigw.ThrottleSettings{}, nil, 100},
		{"account burst bounds an unsettled stage", apigw.ThrottleSettings{RateLimit: 10, BurstLimit: 7}, nil, 7},
		{"stage default", apigw.ThrottleSettings{}, map[string]apigw.MethodSetting{"*/*": setting(10, 20)}, 20},
		{"method override", apigw.ThrottleSettings{}, map[string]apigw.MethodSetting{
			"*/*": setting(10, 20), "pets/GET": setting(1, 3)}, 3},
		{"method limits are bounded by the account", apigw.ThrottleSettings{RateLimit: 10, BurstLimit: 7}, map[string]apigw.MethodSetting{
			"pets/GET": setting(1000, 50)}, 7},
		{"unthrottled method still meets the account", apigw.ThrottleSettings{RateLimit: 10, BurstLimit: 7}, map[string]apigw.MethodSetting{
			"*/*": setting(1, 1), "pets/GET": setting(-1, -1)}, 7},
		{"zero method limits reject all", apigw.ThrottleSettings{}, map[string]apigw.MethodSetting{
			"*/*": setting(100, 100), "pets/GET": setting(0, 0)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := NewSet(NewManualClock(epoch), AccountLimit(tt.account))
			st := &apigw.Stage{StageName: "prod", MethodSettings: tt.settings}
			lim := set.Limiter(scope("pets/GET"), MethodLimit(st, "/pets", "GET"))
			if got := drain(lim, 100); got != tt.want {
				t.Fatalf("accepted %d of 100, want %d", got, tt.want)
			}
		})
	}
}

// TestStageDefaultGivesEachMethodItsOwnBucket: "*/*" is a per-method limit,
// as AWS applies it, not a pool shared by the stage.
func TestStageDefaultGivesEachMethodItsOwnBucket(t *testing.T) {
	set := NewSet(NewManualClock(epoch), AccountLimit(apigw.ThrottleSettings{}))
	st := &apigw.Stage{StageName: "prod", MethodSettings: map[string]apigw.MethodSetting{"*/*": setting(1, 3)}}
	for _, m := range []struct{ path, verb string }{{"/pets", "GET"}, {"/pets", "POST"}, {"/pets/{petId}", "GET"}} {
		key := apigw.MethodSettingKey(m.path, m.verb)
		lim := set.Limiter(scope(key), MethodLimit(st, m.path, m.verb))
		if got := drain(lim, 10); got != 3 {
			t.Fatalf("%s accepted %d of 10 under a stage default of burst 3, want 3", key, got)
		}
	}
}

// TestRejectedRequestConsumesNoToken: a request one level rejects leaves
// the other level's tokens alone.
func TestRejectedRequestConsumesNoToken(t *testing.T) {
	clock := NewManualClock(epoch)
	set := NewSet(clock, Limit{Rate: 1, Burst: 2})
	pets := set.Limiter(scope("pets/GET"), Limit{Rate: 1, Burst: 10})
	if got := drain(pets, 5); got != 2 {
		t.Fatalf("accepted %d, want the account burst 2", got)
	}
	if got := set.Account().Rejected(); got != 3 {
		t.Fatalf("account rejections = %d, want 3", got)
	}
	method, _ := set.Lookup(scope("pets/GET"))
	if got := method.Tokens(); got != 8 {
		t.Fatalf("method tokens after 3 account rejections = %v, want 8 (only accepted requests pay)", got)
	}

	clock.Advance(time.Second) // account refills one token
	closed := set.Limiter(scope("admin/POST"), Limit{Rate: 0, Burst: 0})
	if got := drain(closed, 5); got != 0 {
		t.Fatalf("a method at rate 0 burst 0 accepted %d", got)
	}
	if got := set.Account().Tokens(); got != 1 {
		t.Fatalf("account tokens after method-level rejections = %v, want 1", got)
	}
}

// TestUpdateInPlaceKeepsOtherBuckets is update-stage at run time: the
// changed method's existing limiter sees the new limit at once, other
// methods keep their bucket state.
func TestUpdateInPlaceKeepsOtherBuckets(t *testing.T) {
	clock := NewManualClock(epoch)
	set := NewSet(clock, AccountLimit(apigw.ThrottleSettings{}))
	get := set.Limiter(scope("pets/GET"), Limit{Rate: 1, Burst: 5})
	post := set.Limiter(scope("pets/POST"), Limit{Rate: 1, Burst: 5})
	drain(get, 5)
	drain(post, 2)

	// update-stage: GET /pets gets 100 r/s; the stage snapshot is rebuilt,
	// asking the set for every method's limiter again.
	newGet := set.Limiter(scope("pets/GET"), Limit{Rate: 100, Burst: 5})
	newPost := set.Limiter(scope("pets/POST"), Limit{Rate: 1, Burst: 5})

	if set.Len() != 2 {
		t.Fatalf("set holds %d method buckets, want 2", set.Len())
	}
	if g1, g2 := get.(*Chain).Method(), newGet.(*Chain).Method(); g1 != g2 {
		t.Fatal("updating a limit replaced the bucket instead of updating it in place")
	}
	if got := drain(post, 10); got != 3 {
		t.Fatalf("POST /pets accepted %d after the GET update, want its remaining 3", got)
	}
	if got := drain(newPost, 1); got != 0 {
		t.Fatal("the POST limiter from the rebuilt snapshot does not share the bucket")
	}
	clock.Advance(20 * time.Millisecond)
	if got := drain(get, 10); got != 2 {
		t.Fatalf("old GET limiter accepted %d 20 ms after the rate rose to 100 r/s, want 2", got)
	}
}

func TestSetAccountLimitInPlace(t *testing.T) {
	set := NewSet(NewManualClock(epoch), Limit{Rate: 10, Burst: 2})
	lim := set.Limiter(scope("pets/GET"), Unlimited)
	set.SetAccountLimit(Limit{Rate: 10, Burst: 0})
	if lim.Allow() {
		t.Fatal("an account limit of burst 0 did not reach an existing limiter")
	}
}

func TestForgetStage(t *testing.T) {
	set := NewSet(NewManualClock(epoch), Unlimited)
	set.Limiter(Scope{RestAPIID: "a1", Stage: "prod", Method: "pets/GET"}, Limit{Rate: 1, Burst: 1})
	set.Limiter(Scope{RestAPIID: "a1", Stage: "beta", Method: "pets/GET"}, Limit{Rate: 1, Burst: 1})
	set.Limiter(Scope{RestAPIID: "b2", Stage: "prod", Method: "pets/GET"}, Limit{Rate: 1, Burst: 1})
	set.ForgetStage("a1", "prod")
	if set.Len() != 2 {
		t.Fatalf("%d buckets left, want 2", set.Len())
	}
	if _, ok := set.Lookup(Scope{RestAPIID: "a1", Stage: "prod", Method: "pets/GET"}); ok {
		t.Fatal("the forgotten stage's bucket is still there")
	}
}

func TestAccountLimitDefaults(t *testing.T) {
	if got := AccountLimit(apigw.ThrottleSettings{}); got != (Limit{Rate: 10000, Burst: 5000}) {
		t.Fatalf("AccountLimit(zero) = %v, want AWS's 10000/5000", got)
	}
	if got := AccountLimit(apigw.ThrottleSettings{RateLimit: 0.5, BurstLimit: 3}); got != (Limit{Rate: 0.5, Burst: 3}) {
		t.Fatalf("AccountLimit = %v", got)
	}
}

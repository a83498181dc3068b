package throttle

import (
	"math"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// Limit is one level's throttle: a steady-state Rate in requests per second
// (fractional rates such as 0.5 are allowed) and a Burst, the bucket's
// capacity. AWS's throttlingRateLimit/throttlingBurstLimit and an account's
// rateLimit/burstLimit map onto it one to one.
//
// Special values, applied uniformly at every level:
//   - Rate < 0 or Burst < 0 (AWS's -1): no limit at this level; the other
//     levels still apply.
//   - Burst == 0: the bucket holds no token, so every request is rejected
//     (in particular rate 0 and burst 0 rejects everything, which is what
//     the console stores when you type 0 and 0).
//   - Rate == 0 with Burst > 0: the bucket never refills: Burst requests
//     pass after the limit is set and later ones are rejected.
type Limit struct {
	Rate  float64
	Burst int
}

// Unlimited is a level that imposes no limit.
var Unlimited = Limit{Rate: -1, Burst: -1}

// IsUnlimited reports whether l imposes no limit.
func (l Limit) IsUnlimited() bool { return l.Rate < 0 || l.Burst < 0 }

// RejectsAll reports whether l rejects every request: a capacity of zero
// tokens, or a rate that is not a number.
func (l Limit) RejectsAll() bool {
	return !l.IsUnlimited() && (l.Burst == 0 || math.IsNaN(l.Rate))
}

// String renders l for logs, e.g. "rate=100 burst=50".
func (l Limit) String() string {
	if l.IsUnlimited() {
		return "unlimited"
	}
	return "rate=" + strconv.FormatFloat(l.Rate, 'g', -1, 64) + " burst=" + strconv.Itoa(l.Burst)
}

// AccountLimit is the account-level limit for the account's throttle
// settings. As elsewhere in Stagecoach (apigw.StagePatchEnv), a zero or
// negative field means AWS's default (10000 requests/s, burst 5000): the
// account level cannot be switched off.
func AccountLimit(ts apigw.ThrottleSettings) Limit {
	l := Limit{Rate: ts.RateLimit, Burst: ts.BurstLimit}
	if l.Rate <= 0 {
		l.Rate = apigw.DefaultAccountRateLimit
	}
	if l.Burst <= 0 {
		l.Burst = apigw.DefaultAccountBurstLimit
	}
	return l
}

// SettingLimit is the method-level limit stored in one methodSettings
// entry.
func SettingLimit(ms apigw.MethodSetting) Limit {
	return Limit{Rate: ms.ThrottlingRateLimit, Burst: ms.ThrottlingBurstLimit}
}

// ResolveMethodLimit applies AWS's precedence for the method level of one
// method: the method's own methodSettings entry if it has one, else the
// stage default ("*/*" entry), else no method-level limit (only the account
// bucket applies). nil means "no such entry". The result is the limit of
// that method's own bucket: a stage default is not one bucket shared by
// the stage, each method gets a bucket of that size (see the package
// documentation).
func ResolveMethodLimit(stageDefault, method *Limit) Limit {
	switch {
	case method != nil:
		return *method
	case stageDefault != nil:
		return *stageDefault
	default:
		return Unlimited
	}
}

// MethodLimit resolves the method-level limit of the method verb on
// resourcePath ("/pets/{id}") from a stage's methodSettings, with the
// precedence of ResolveMethodLimit.
func MethodLimit(st *apigw.Stage, resourcePath, verb string) Limit {
	var stageDefault, method *Limit
	if ms, _, ok := st.OwnMethodSetting(resourcePath, verb); ok {
		l := SettingLimit(ms)
		method = &l
	}
	if ms, ok := st.MethodSettings[apigw.WildcardMethodKey]; ok {
		l := SettingLimit(ms)
		stageDefault = &l
	}
	return ResolveMethodLimit(stageDefault, method)
}

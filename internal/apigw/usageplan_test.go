package apigw

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestValidateAPIKeyValue(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want string
	}{
		{strings.Repeat("a", 19), "API Key value should be at least 20 characters"},
		{strings.Repeat("a", 20), ""},
		{strings.Repeat("a", 128), ""},
		{strings.Repeat("a", 129), "API Key value exceeds maximum size of 128 characters"},
		{"not-alphanumeric but long enough!", ""},
	} {
		err := ValidateAPIKeyValue(tc.v)
		if got := msgOf(err); got != tc.want {
			t.Errorf("len %d: got %q, want %q", len(tc.v), got, tc.want)
		}
	}
}

func TestNewAPIKeyValue(t *testing.T) {
	a, b := NewAPIKeyValue(), NewAPIKeyValue()
	if len(a) != 40 || a == b || ValidateAPIKeyValue(a) != nil {
		t.Fatalf("values %q %q", a, b)
	}
	for _, c := range a {
		if !strings.ContainsRune(keyAlphabet, c) {
			t.Fatalf("%q has %q", a, c)
		}
	}
}

func msgOf(err error) string {
	if err == nil {
		return ""
	}
	return err.(*Error).Message
}

func TestApplyAPIKeyPatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []PatchOperation
		want APIKey
		err  string
	}{
		{"fields", []PatchOperation{
			{Op: "replace", Path: "/name", Value: "n2"},
			{Op: "replace", Path: "/description", Value: "d"},
			{Op: "replace", Path: "/enabled", Value: "false"},
			{Op: "replace", Path: "/customerId", Value: "c"},
		}, APIKey{Name: "n2", Description: "d", CustomerID: "c"}, ""},
		{"value immutable", []PatchOperation{{Op: "replace", Path: "/value", Value: strings.Repeat("x", 30)}}, APIKey{},
			"Invalid patch path  '/value' specified for op 'replace'. Must be one of: [/name, /description, /enabled, /customerId]"},
		{"bad bool", []PatchOperation{{Op: "replace", Path: "/enabled", Value: "yes"}}, APIKey{}, "Invalid value for enabled: yes"},
		{"add", []PatchOperation{{Op: "add", Path: "/name", Value: "x"}}, APIKey{},
			"Invalid patch path  '/name' specified for op 'add'. Must be one of: []"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := APIKey{Name: "n", Enabled: true}
			err := ApplyAPIKeyPatch(&k, tc.ops)
			if msgOf(err) != tc.err {
				t.Fatalf("err %q, want %q", msgOf(err), tc.err)
			}
			if err == nil && !reflect.DeepEqual(k, tc.want) {
				t.Fatalf("got %+v, want %+v", k, tc.want)
			}
		})
	}
}

func TestValidateUsagePlan(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    UsagePlan
		err  string
	}{
		{"ok", UsagePlan{Name: "p", Quota: &QuotaSettings{Limit: 10, Offset: 2, Period: "WEEK"},
			Throttle:  &ThrottleSettings{BurstLimit: 1, RateLimit: 1},
			APIStages: []APIStage{{APIID: "a", Stage: "s", Throttle: map[string]ThrottleSettings{"/pets/GET": {1, 1}, "//GET": {1, 1}}}}}, ""},
		{"no name", UsagePlan{}, msgPlanNameRequired},
		{"period", UsagePlan{Name: "p", Quota: &QuotaSettings{Limit: 1, Period: "YEAR"}}, msgInvalidPeriod},
		{"limit", UsagePlan{Name: "p", Quota: &QuotaSettings{Limit: -1, Period: "DAY"}}, msgInvalidLimit},
		{"offset", UsagePlan{Name: "p", Quota: &QuotaSettings{Limit: 1, Offset: 2, Period: "DAY"}}, msgInvalidOffset},
		{"rate", UsagePlan{Name: "p", Throttle: &ThrottleSettings{RateLimit: -1}}, msgInvalidRate},
		{"burst", UsagePlan{Name: "p", Throttle: &ThrottleSettings{BurstLimit: -1}}, msgInvalidBurst},
		{"method key", UsagePlan{Name: "p", APIStages: []APIStage{{APIID: "a", Stage: "s",
			Throttle: map[string]ThrottleSettings{"pets/GET": {}}}}}, "Invalid method throttle key 'pets/GET': it must look like /{resourcePath}/{httpMethod}"},
		{"method verb", UsagePlan{Name: "p", APIStages: []APIStage{{APIID: "a", Stage: "s",
			Throttle: map[string]ThrottleSettings{"/pets/FETCH": {}}}}}, "Invalid method throttle key '/pets/FETCH': it must look like /{resourcePath}/{httpMethod}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := msgOf(ValidateUsagePlan(&tc.p)); got != tc.err {
				t.Fatalf("got %q, want %q", got, tc.err)
			}
		})
	}
}

func TestApplyUsagePlanPatch(t *testing.T) {
	env := UsagePlanPatchEnv{StageExists: func(api, st string) bool { return api == "a" && (st == "s" || st == "t") }}
	base := func() *UsagePlan {
		return &UsagePlan{Name: "p", APIStages: []APIStage{{APIID: "a", Stage: "s"}}}
	}
	for _, tc := range []struct {
		name  string
		ops   []PatchOperation
		check func(*UsagePlan) bool
		quota bool
		err   string
	}{
		{"add stage", []PatchOperation{{Op: "add", Path: "/apiStages", Value: "a:t"}},
			func(p *UsagePlan) bool { return len(p.APIStages) == 2 && p.APIStages[1].Ref() == "a:t" }, false, ""},
		{"add twice is one", []PatchOperation{{Op: "add", Path: "/apiStages", Value: "a:s"}},
			func(p *UsagePlan) bool { return len(p.APIStages) == 1 }, false, ""},
		{"add missing stage", []PatchOperation{{Op: "add", Path: "/apiStages", Value: "a:zz"}}, nil, false, "API Stage not found: a:zz"},
		{"add json value", []PatchOperation{{Op: "add", Path: "/apiStages", Value: `{"apiId":"a"}`}}, nil, false, `API Stage not found: {"apiId":"a"}`},
		{"remove stage", []PatchOperation{{Op: "remove", Path: "/apiStages", Value: "a:s"}},
			func(p *UsagePlan) bool { return len(p.APIStages) == 0 }, false, ""},
		{"remove unknown stage", []PatchOperation{{Op: "remove", Path: "/apiStages", Value: "a:t"}}, nil, false, MsgInvalidAPIStage},
		{"remove by path", []PatchOperation{{Op: "remove", Path: "/apiStages/a:s"}}, nil, false,
			"Invalid patch path  '/apiStages/a:s' specified for op 'remove'. Must be one of: [/apiStages, /quota, /throttle, /productCode, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>, /apiStages/<apidId:stageName>/throttle]"},
		{"quota fields", []PatchOperation{
			{Op: "replace", Path: "/quota/limit", Value: "100"},
			{Op: "replace", Path: "/quota/period", Value: "MONTH"},
			{Op: "replace", Path: "/quota/offset", Value: "5"},
		}, func(p *UsagePlan) bool { return *p.Quota == QuotaSettings{100, 5, "MONTH"} }, true, ""},
		{"quota without period", []PatchOperation{{Op: "replace", Path: "/quota/limit", Value: "100"}}, nil, true, msgInvalidPeriod},
		{"throttle", []PatchOperation{
			{Op: "replace", Path: "/throttle/rateLimit", Value: "2.5"},
			{Op: "replace", Path: "/throttle/burstLimit", Value: "4"},
		}, func(p *UsagePlan) bool { return *p.Throttle == ThrottleSettings{4, 2.5} }, false, ""},
		{"bad int", []PatchOperation{{Op: "replace", Path: "/throttle/burstLimit", Value: "x"}}, nil, false,
			"Invalid value specified for /throttle/burstLimit: x"},
		{"method throttle escaped", []PatchOperation{
			{Op: "replace", Path: "/apiStages/a:s/throttle/~1pets~1{id}/GET/rateLimit", Value: "3"},
			{Op: "replace", Path: "/apiStages/a:s/throttle/~1pets~1{id}/GET/burstLimit", Value: "6"},
		}, func(p *UsagePlan) bool {
			return p.APIStages[0].Throttle["/pets/{id}/GET"] == ThrottleSettings{6, 3}
		}, false, ""},
		{"method throttle plain, then removed", []PatchOperation{
			{Op: "replace", Path: "/apiStages/a:s/throttle/pets/GET/rateLimit", Value: "3"},
			{Op: "remove", Path: "/apiStages/a:s/throttle/pets/GET"},
		}, func(p *UsagePlan) bool { return p.APIStages[0].Throttle == nil }, false, ""},
		{"method throttle root", []PatchOperation{{Op: "replace", Path: "/apiStages/a:s/throttle/~1/GET/rateLimit", Value: "3"}},
			func(p *UsagePlan) bool { _, ok := p.APIStages[0].Throttle["//GET"]; return ok }, false, ""},
		{"method throttle other stage", []PatchOperation{{Op: "replace", Path: "/apiStages/a:t/throttle/~1pets/GET/rateLimit", Value: "3"}},
			nil, false, MsgInvalidAPIStage},
		{"remove all method throttles", []PatchOperation{
			{Op: "replace", Path: "/apiStages/a:s/throttle/~1pets/GET/rateLimit", Value: "3"},
			{Op: "remove", Path: "/apiStages/a:s/throttle"},
		}, func(p *UsagePlan) bool { return p.APIStages[0].Throttle == nil }, false, ""},
		{"remove quota", []PatchOperation{{Op: "remove", Path: "/quota"}}, func(p *UsagePlan) bool { return p.Quota == nil }, true, ""},
		{"replace name", []PatchOperation{{Op: "replace", Path: "/name", Value: "q"}, {Op: "replace", Path: "/productCode", Value: "pc"}},
			func(p *UsagePlan) bool { return p.Name == "q" && p.ProductCode == "pc" }, false, ""},
		{"empty name", []PatchOperation{{Op: "replace", Path: "/name", Value: ""}}, nil, false, msgPlanNameRequired},
		{"unknown replace", []PatchOperation{{Op: "replace", Path: "/id", Value: "x"}}, nil, false,
			"Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/name, /description, /productCode, /quota/limit, /quota/offset, /quota/period, /throttle/burstLimit, /throttle/rateLimit, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/burstLimit, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/rateLimit]"},
		{"move", []PatchOperation{{Op: "move", Path: "/name"}}, nil, false, "Invalid patch path  '/name' specified for op 'move'. Must be one of: []"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			q, err := ApplyUsagePlanPatch(p, tc.ops, env)
			if msgOf(err) != tc.err {
				t.Fatalf("err %q, want %q", msgOf(err), tc.err)
			}
			if err != nil {
				return
			}
			if q != tc.quota {
				t.Errorf("quotaChanged %v", q)
			}
			if !tc.check(p) {
				t.Fatalf("unexpected plan %+v", p)
			}
		})
	}
}

func TestParseUsagePatch(t *testing.T) {
	n, err := ParseUsagePatch([]PatchOperation{{Op: "replace", Path: "/remaining", Value: "42"}})
	if err != nil || n != 42 {
		t.Fatalf("%d %v", n, err)
	}
	for _, tc := range []struct {
		ops []PatchOperation
		err string
	}{
		{[]PatchOperation{{Op: "add", Path: "/extension", Value: "1"}}, "Invalid patch path  '/extension' specified for op 'add'. Must be one of: []"},
		{[]PatchOperation{{Op: "replace", Path: "/used", Value: "1"}}, "Invalid patch path  '/used' specified for op 'replace'. Must be one of: [/remaining]"},
		{[]PatchOperation{{Op: "replace", Path: "/remaining", Value: "-1"}}, "Invalid remaining quota specified: -1"},
		{nil, "Invalid patch operations specified. Must be one of: [replace /remaining]"},
	} {
		if _, err := ParseUsagePatch(tc.ops); msgOf(err) != tc.err {
			t.Errorf("got %q, want %q", msgOf(err), tc.err)
		}
	}
}

func TestQuotaWindow(t *testing.T) {
	day := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, tc := range []struct {
		period, at, start, end string
	}{
		{"DAY", "2026-12-02T13:14:10Z", "2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"},
		{"DAY", "2026-12-02T23:59:59Z", "2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z"},
		{"DAY", "2026-12-02T01:00:00+02:00", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"},
		{"WEEK", "2026-12-02T13:00:00Z", "2026-11-29T00:00:00Z", "2026-12-06T00:00:00Z"}, // Wednesday → Sunday
		{"WEEK", "2026-11-29T00:00:00Z", "2026-11-29T00:00:00Z", "2026-12-06T00:00:00Z"},
		{"MONTH", "2026-12-31T23:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"MONTH", "2024-02-29T10:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"},
	} {
		s, e := QuotaWindow(tc.period, day(tc.at))
		if !s.Equal(day(tc.start)) || !e.Equal(day(tc.end)) {
			t.Errorf("%s %s: got [%s, %s)", tc.period, tc.at, s, e)
		}
	}
}

func TestQuotaLimitAt(t *testing.T) {
	q := QuotaSettings{Limit: 10, Offset: 3, Period: "DAY"}
	anchor := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Time
		want int64
	}{
		{anchor, 7},
		{time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), 7},
		{time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), 10},
		{time.Date(2026, 12, 1, 23, 59, 0, 0, time.UTC), 10},
	} {
		if got := q.LimitAt(anchor, tc.at); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.at, got, tc.want)
		}
	}
}

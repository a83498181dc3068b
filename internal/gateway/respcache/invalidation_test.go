package respcache

import (
	"net/http"
	"testing"
)

const signed = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261101/us-east-1/execute-api/aws4_request, " +
	"SignedHeaders=cache-control;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

func TestInvalidationStrategies(t *testing.T) {
	tests := []struct {
		name         string
		policy       InvalidationPolicy
		cacheControl string
		auth         string
		want         Action
	}{
		{"no Cache-Control: serve", InvalidationPolicy{RequireAuthorization: true, Strategy: FailWith403}, "", "", Serve},
		{"other directives do not invalidate", InvalidationPolicy{RequireAuthorization: true, Strategy: FailWith403}, "no-cache", "", Serve},
		{"authorisation not required: anyone refreshes", InvalidationPolicy{RequireAuthorization: false, Strategy: FailWith403}, "max-age=0", "", Refresh},
		{"signed caller refreshes", InvalidationPolicy{RequireAuthorization: true, Strategy: FailWith403}, "max-age=0", signed, Refresh},
		{"FAIL_WITH_403", InvalidationPolicy{RequireAuthorization: true, Strategy: FailWith403}, "max-age=0", "", Forbid},
		{"FAIL_WITH_403 with a bearer token", InvalidationPolicy{RequireAuthorization: true, Strategy: FailWith403}, "max-age=0", "Bearer eyJhbGciOi", Forbid},
		{"SUCCEED_WITH_RESPONSE_HEADER", InvalidationPolicy{RequireAuthorization: true, Strategy: SucceedWithResponseHeader}, "max-age=0", "", ServeWithWarning},
		{"SUCCEED_WITHOUT_RESPONSE_HEADER", InvalidationPolicy{RequireAuthorization: true, Strategy: SucceedWithoutResponseHeader}, "max-age=0", "", Serve},
		{"empty strategy is AWS's default, with header", InvalidationPolicy{RequireAuthorization: true}, "max-age=0", "", ServeWithWarning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.cacheControl != "" {
				h.Set("Cache-Control", tt.cacheControl)
			}
			if tt.auth != "" {
				h.Set("Authorization", tt.auth)
			}
			if got := tt.policy.DecideRequest(h); got != tt.want {
				t.Fatalf("DecideRequest = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRequestsInvalidation(t *testing.T) {
	tests := []struct {
		lines []string
		want  bool
	}{
		{[]string{"max-age=0"}, true},
		{[]string{"MAX-AGE=0"}, true},
		{[]string{"no-cache, max-age=0"}, true},
		{[]string{`max-age="0"`}, true},
		{[]string{"max-age = 00"}, true},
		{[]string{"no-store", "max-age=0"}, true},
		{[]string{"max-age=10"}, false},
		{[]string{"max-age="}, false},
		{[]string{"s-maxage=0"}, false},
		{[]string{"no-cache"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := RequestsInvalidation(http.Header{"Cache-Control": tt.lines}); got != tt.want {
			t.Errorf("RequestsInvalidation(%q) = %v, want %v", tt.lines, got, tt.want)
		}
	}
}

func TestIsSigV4(t *testing.T) {
	tests := []struct {
		auth string
		want bool
	}{
		{signed, true},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261101/eu-west-1/execute-api/aws4_request,SignedHeaders=host,Signature=" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true},
		{"", false},
		{"Bearer abc", false},
		{"AWS AKID:signature", false}, // SigV2
		{"AWS4-HMAC-SHA256 Credential=AKID/20261101/us-east-1/execute-api/aws4_request, SignedHeaders=host", false},
		{"AWS4-HMAC-SHA256 Credential=AKID/2026110/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=XYZ", false},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261101/us-east-1/execute-api, SignedHeaders=host, Signature=" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false},
	}
	for _, tt := range tests {
		if got := IsSigV4(tt.auth); got != tt.want {
			t.Errorf("IsSigV4(%q) = %v, want %v", tt.auth, got, tt.want)
		}
	}
}

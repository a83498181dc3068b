package execlog

import (
	"strings"
	"testing"
)

// TestAPIKeyLines checks the usage plan lines of key-protected methods:
// the key is masked to its last six characters, as AWS logs it.
func TestAPIKeyLines(t *testing.T) {
	const key = "abcdefghij0123456789"
	masked := stars(14) + "456789"
	tests := []struct {
		name    string
		errType string
		keyID   string
		want    []string
	}{
		{"accepted", "", "k1", []string{
			"Verifying Usage Plan for request: " + rid + ". API Key: " + masked + " API Stage: a1b2c3d4e5/prod",
			"Usage Plan check succeeded for API Key " + masked + " and API Stage a1b2c3d4e5/prod",
			"Starting execution for request: " + rid,
			"HTTP Method: GET, Resource Path: /pets/42",
			"API Key: " + masked,
			"API Key ID: k1",
		}},
		{"refused", "INVALID_API_KEY", "", []string{
			"Verifying Usage Plan for request: " + rid + ". API Key: " + masked + " API Stage: a1b2c3d4e5/prod",
			"API Key " + masked + " not authorized because method 'GET /pets/{petId}' requires API Key and API Key is not valid or not associated with a Usage Plan for API Stage a1b2c3d4e5/prod",
			"Starting execution for request: " + rid,
		}},
		{"quota", "QUOTA_EXCEEDED", "k1", []string{
			"Verifying Usage Plan for request: " + rid + ". API Key: " + masked + " API Stage: a1b2c3d4e5/prod",
			"Usage Plan check failed for API Key " + masked + " and API Stage a1b2c3d4e5/prod: quota limit exceeded",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := mock()
			ev.APIKeyRequired = true
			ev.Identity.APIKey, ev.Identity.APIKeyID = key, tt.keyID
			if tt.errType != "" {
				ev.ErrorResponseType, ev.Status = tt.errType, 403
			}
			var got []string
			for _, l := range Append(nil, Settings{Level: Info}, ev) {
				got = append(got, strings.TrimPrefix(l.Message, "("+rid+") "))
			}
			// got[0] is the extended request id.
			if len(got) < len(tt.want)+1 || strings.Join(got[1:len(tt.want)+1], "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("lines:\n%s\nwant (after the first):\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if strings.Contains(strings.Join(got, "\n"), key) {
				t.Fatal("the key leaked unmasked")
			}
		})
	}
}

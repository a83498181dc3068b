package frontdoor

import "testing"

func TestUserRequestPath(t *testing.T) {
	tests := []struct {
		in              string
		id, stage, rest string
		ok              bool
	}{
		{"/restapis/AbC123/prod/_user_request_/pets/42", "abc123", "prod", "/pets/42", true},
		{"/restapis/abc/prod/_user_request_", "abc", "prod", "/", true},
		{"/restapis/abc/prod/_user_request_/", "abc", "prod", "/", true},
		{"/restapis/abc/stages/prod", "", "", "", false},
		{"/restapis/abc/resources/xyz/methods/GET", "", "", "", false},
		{"/restapis", "", "", "", false},
	}
	for _, tt := range tests {
		id, stage, rest, ok := userRequestPath(tt.in)
		if id != tt.id || stage != tt.stage || rest != tt.rest || ok != tt.ok {
			t.Errorf("userRequestPath(%q) = %q %q %q %v, want %q %q %q %v", tt.in, id, stage, rest, ok, tt.id, tt.stage, tt.rest, tt.ok)
		}
	}
}

func TestExecuteAPIHost(t *testing.T) {
	tests := []struct {
		host string
		id   string
		ok   bool
	}{
		{"AbC.execute-api.localhost:4566", "abc", true},
		{"abc.execute-api.us-east-1.amazonaws.com", "abc", true},
		{"localhost:4566", "", false},
		{".execute-api.localhost", "", false},
	}
	for _, tt := range tests {
		id, ok := executeAPIHost(tt.host)
		if id != tt.id || ok != tt.ok {
			t.Errorf("executeAPIHost(%q) = %q %v", tt.host, id, ok)
		}
	}
}

func TestSplitStage(t *testing.T) {
	for in, want := range map[string][2]string{
		"/prod/pets/42": {"prod", "/pets/42"},
		"/prod":         {"prod", "/"},
		"/prod/":        {"prod", "/"},
		"/":             {"", "/"},
	} {
		s, r := splitStage(in)
		if s != want[0] || r != want[1] {
			t.Errorf("splitStage(%q) = %q %q, want %q", in, s, r, want)
		}
	}
}

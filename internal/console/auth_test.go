package console

import "testing"

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "/console/",
		"/console/apis/x/stages":      "/console/apis/x/stages",
		"/console/settings?tab=a":     "/console/settings?tab=a",
		"https://evil.example/":       "/console/",
		"//evil.example/console/":     "/console/",
		"/console/\\evil":             "/console/",
		"/restapis":                   "/console/",
		"/console/x\r\nSet-Cookie: a": "/console/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

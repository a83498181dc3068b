package sigv4

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCredentials(t *testing.T) {
	const file = `
# a comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = secret/with+chars=
region = eu-west-1

; settings only: skipped
[settings]
region = us-east-1

[profile temp]
aws_access_key_id=ASIATEMP
aws_secret_access_key=tempsecret
aws_session_token = tok==
`
	c, err := ParseCredentials(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 2 {
		t.Fatalf("Len = %d, want 2", c.Len())
	}
	d, ok := c.Lookup("AKIDDEFAULT")
	if !ok || d.Profile != "default" || d.SecretAccessKey != "secret/with+chars=" || d.SessionToken != "" {
		t.Errorf("default = %+v, %v", d, ok)
	}
	tmp, ok := c.Lookup("ASIATEMP")
	if !ok || tmp.Profile != "temp" || tmp.SessionToken != "tok==" {
		t.Errorf("temp = %+v, %v", tmp, ok)
	}
	if _, ok := c.Check("AKIDDEFAULT", "secret/with+chars="); !ok {
		t.Error("Check with the right secret failed")
	}
	if _, ok := c.Check("AKIDDEFAULT", "secret/with+chars"); ok {
		t.Error("Check with a wrong secret passed")
	}
	if _, ok := c.Check("NOSUCH", "x"); ok {
		t.Error("Check with an unknown key passed")
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"empty", "", "no credentials"},
		{"only settings", "[a]\nregion=x\n", "no credentials"},
		{"no secret", "[a]\naws_access_key_id=K\n", "profile [a]: aws_secret_access_key is missing"},
		{"no key", "[a]\naws_secret_access_key=S\n", "profile [a]: aws_access_key_id is missing"},
		{"duplicate", "[a]\naws_access_key_id=K\naws_secret_access_key=S\n[b]\naws_access_key_id=K\naws_secret_access_key=T\n", "profiles [a] and [b] have the same aws_access_key_id"},
		{"slash in key", "[a]\naws_access_key_id=K/1\naws_secret_access_key=S\n", "contains '/'"},
		{"outside section", "aws_access_key_id=K\n", "line 1: aws_access_key_id outside of a [section]"},
		{"no equals", "[a]\njunk\n", "line 2: want key = value"},
		{"open section", "[a\n", "no closing ']'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCredentials(strings.NewReader(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadCredentialsFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(p, []byte("[ci]\naws_access_key_id=AK\naws_secret_access_key=SK\n"), 0o600)
	c, err := LoadCredentialsFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if cr, ok := c.Lookup("AK"); !ok || cr.Profile != "ci" {
		t.Fatalf("Lookup = %+v, %v", cr, ok)
	}
	if _, err := LoadCredentialsFile(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Fatal("missing file loaded")
	}
}

package sigv4

import (
	"bufio"
	"crypto/subtle"
	"fmt"
	"io"
	"os"
	"strings"
)

// Credential is one access key of an AWS shared-credentials file.
type Credential struct {
	// Profile is the file section the key came from ("default").
	Profile         string
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must be presented by requests signed with
	// this key (X-Amz-Security-Token).
	SessionToken string
}

// Credentials is an immutable set of credentials indexed by access key.
type Credentials struct {
	byKey map[string]Credential
}

// NewCredentials builds a set; access keys must be unique and every
// credential needs a key and a secret.
func NewCredentials(list ...Credential) (*Credentials, error) {
	c := &Credentials{byKey: make(map[string]Credential, len(list))}
	for _, cr := range list {
		switch {
		case cr.AccessKeyID == "":
			return nil, fmt.Errorf("profile [%s]: aws_access_key_id is missing", cr.Profile)
		case cr.SecretAccessKey == "":
			return nil, fmt.Errorf("profile [%s]: aws_secret_access_key is missing", cr.Profile)
		case strings.ContainsAny(cr.AccessKeyID, "/ \t,="):
			// The key is the first field of Credential=key/date/...; these
			// characters could never be parsed back out of it.
			return nil, fmt.Errorf("profile [%s]: aws_access_key_id %q contains '/', ',', '=' or a space", cr.Profile, cr.AccessKeyID)
		}
		if prev, dup := c.byKey[cr.AccessKeyID]; dup {
			return nil, fmt.Errorf("profiles [%s] and [%s] have the same aws_access_key_id", prev.Profile, cr.Profile)
		}
		c.byKey[cr.AccessKeyID] = cr
	}
	if len(c.byKey) == 0 {
		return nil, fmt.Errorf("no credentials (want [name] sections with aws_access_key_id and aws_secret_access_key)")
	}
	return c, nil
}

// Len is the number of credentials.
func (c *Credentials) Len() int { return len(c.byKey) }

// Lookup returns the credential of an access key.
func (c *Credentials) Lookup(accessKeyID string) (Credential, bool) {
	cr, ok := c.byKey[accessKeyID]
	return cr, ok
}

// Check reports whether accessKeyID names a credential whose secret is
// secret (the console's login). The secret comparison is constant-time.
func (c *Credentials) Check(accessKeyID, secret string) (Credential, bool) {
	cr, ok := c.byKey[accessKeyID]
	if !ok {
		return Credential{}, false
	}
	if subtle.ConstantTimeCompare([]byte(cr.SecretAccessKey), []byte(secret)) != 1 {
		return Credential{}, false
	}
	return cr, true
}

// LoadCredentialsFile reads an AWS shared-credentials file (the format
// of ~/.aws/credentials).
func LoadCredentialsFile(path string) (*Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := ParseCredentials(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseCredentialsString is ParseCredentials of a string.
func ParseCredentialsString(s string) (*Credentials, error) {
	return ParseCredentials(strings.NewReader(s))
}

// ParseCredentials reads the shared-credentials format: "[name]"
// sections holding aws_access_key_id, aws_secret_access_key and
// optionally aws_session_token; "#" and ";" start comment lines; other
// keys (region, ...) are ignored. "[profile name]" (the config file's
// spelling) is read as "name". A section without an access key is
// skipped (it may hold only settings); one with a key but no secret is
// an error.
func ParseCredentials(r io.Reader) (*Credentials, error) {
	var list []Credential
	var cur *Credential
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		if s[0] == '[' {
			if !strings.HasSuffix(s, "]") {
				return nil, fmt.Errorf("line %d: section header %q has no closing ']'", line, s)
			}
			name := strings.TrimSpace(s[1 : len(s)-1])
			if rest, ok := strings.CutPrefix(name, "profile "); ok {
				name = strings.TrimSpace(rest)
			}
			list = append(list, Credential{Profile: name})
			cur = &list[len(list)-1]
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key = value", line)
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: %s outside of a [section]", line, strings.TrimSpace(k))
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "aws_access_key_id":
			cur.AccessKeyID = v
		case "aws_secret_access_key":
			cur.SecretAccessKey = v
		case "aws_session_token":
			cur.SessionToken = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	keep := list[:0]
	for _, cr := range list {
		if cr.AccessKeyID != "" || cr.SecretAccessKey != "" {
			keep = append(keep, cr)
		}
	}
	return NewCredentials(keep...)
}

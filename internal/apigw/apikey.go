package apigw

import (
	"crypto/rand"
	"strconv"
	"strings"
)

// APIKey is an API key (GET /apikeys/{id}). Its Value identifies callers on
// the data plane; the management API returns it only when asked
// (includeValue / includeValues).
type APIKey struct {
	ID              string            `json:"id"`
	Value           string            `json:"value,omitempty"`
	Name            string            `json:"name,omitempty"`
	CustomerID      string            `json:"customerId,omitempty"`
	Description     string            `json:"description,omitempty"`
	Enabled         bool              `json:"enabled"`
	CreatedDate     Time              `json:"createdDate"`
	LastUpdatedDate Time              `json:"lastUpdatedDate"`
	StageKeys       []string          `json:"stageKeys"`
	Tags            map[string]string `json:"tags,omitempty"`
}

// API key value bounds and AWS's recorded messages for values outside them
// (spec access-control.md §1, terraform-provider-aws#30894, moto#2607).
const (
	MinAPIKeyValueLen = 20
	MaxAPIKeyValueLen = 128

	msgAPIKeyTooShort = "API Key value should be at least 20 characters"
	msgAPIKeyTooLong  = "API Key value exceeds maximum size of 128 characters"
	// MsgAPIKeyExists is AWS's 409 for a value another key already has.
	MsgAPIKeyExists = "API Key already exists"
	// MsgInvalidAPIKey is AWS's 404 for an unknown key id.
	MsgInvalidAPIKey = "Invalid API Key identifier specified"
)

// generatedKeyLen is the length of the values AWS generates (40
// alphanumerics, as seen in real keys).
const generatedKeyLen = 40

const keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// NewAPIKeyValue returns a random key value shaped like AWS's generated
// ones: 40 letters and digits from crypto/rand (rejection sampling keeps
// every character equally likely).
func NewAPIKeyValue() string {
	out := make([]byte, 0, generatedKeyLen)
	buf := make([]byte, generatedKeyLen)
	for len(out) < generatedKeyLen {
		if _, err := rand.Read(buf); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		for _, b := range buf {
			// 248 = 4·62: bytes above it would favour the first letters.
			if int(b) < 4*len(keyAlphabet) && len(out) < generatedKeyLen {
				out = append(out, keyAlphabet[int(b)%len(keyAlphabet)])
			}
		}
	}
	return string(out)
}

// ValidateAPIKeyValue applies AWS's length rule. AWS enforces only the
// length (terraform-provider-aws#32257), so any characters pass.
func ValidateAPIKeyValue(v string) error {
	switch {
	case len(v) < MinAPIKeyValueLen:
		return BadRequest(msgAPIKeyTooShort)
	case len(v) > MaxAPIKeyValueLen:
		return BadRequest(msgAPIKeyTooLong)
	}
	return nil
}

// apiKeyPatchPaths are the paths UpdateApiKey accepts, in the order its
// error message lists them.
var apiKeyPatchPaths = []string{"/name", "/description", "/enabled", "/customerId"}

// InvalidPatchPath is AWS's message for a path an Update* call does not
// support (note the two spaces after "path": AWS's spelling, recorded in
// boto3#2629).
func InvalidPatchPath(op PatchOperation, allowed []string) error {
	return BadRequest("Invalid patch path  '%s' specified for op '%s'. Must be one of: [%s]",
		op.Path, op.Op, strings.Join(allowed, ", "))
}

// ApplyAPIKeyPatch applies UpdateApiKey operations to k in order. Every
// path takes "replace" (AWS's console and CLI send replace; U whether add
// is accepted too). The value is immutable, as on AWS. On error k may be
// partly changed: callers patch a copy.
func ApplyAPIKeyPatch(k *APIKey, ops []PatchOperation) error {
	for _, op := range ops {
		if op.Op != OpReplace {
			return InvalidPatchPath(op, nil)
		}
		switch op.Path {
		case "/name":
			k.Name = op.Value
		case "/description":
			k.Description = op.Value
		case "/customerId":
			k.CustomerID = op.Value
		case "/enabled":
			b, err := strconv.ParseBool(op.Value)
			if err != nil {
				return BadRequest("Invalid value for enabled: %s", op.Value)
			}
			k.Enabled = b
		default:
			return InvalidPatchPath(op, apiKeyPatchPaths)
		}
	}
	return nil
}

// Package awsproto holds the pieces of AWS's wire protocols that more than
// one Stagecoach service speaks: the awsJson 1.0/1.1 envelope (operation
// from X-Amz-Target, bounded body, JSON errors, the error document) and
// request ids.
//
// It carries no service's error texts: each service decides what to
// answer when a target is unknown or a body does not parse, because AWS's
// services word those differently, and the wire must stay theirs.
package awsproto

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// JSON is the awsJson envelope of one service.
type JSON struct {
	// TargetPrefix is what X-Amz-Target holds before the operation name,
	// e.g. "CloudApiService." or "Logs_20140328.".
	TargetPrefix string
	// ContentType is "application/x-amz-json-1.0" or "-1.1"; successes
	// and errors both carry it.
	ContentType string
	// MaxBody bounds a request body, in bytes.
	MaxBody int
}

// Operation returns the operation X-Amz-Target names. ok is false when
// the header does not start with TargetPrefix; op is then the whole
// header, for the error message.
func (p JSON) Operation(r *http.Request) (op string, ok bool) {
	return strings.CutPrefix(r.Header.Get("X-Amz-Target"), p.TargetPrefix)
}

// ErrBodyTooLarge is ReadBody's answer to a body over MaxBody.
var ErrBodyTooLarge = errors.New("awsproto: request body too large")

// ReadBody reads r's body. It reads at most one byte past MaxBody, so an
// oversized body costs no more than the bound, and answers
// ErrBodyTooLarge for it; other errors are the read's.
func (p JSON) ReadBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(p.MaxBody)+1))
	if err != nil {
		return nil, err
	}
	if len(body) > p.MaxBody {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}

// MemberTypeError is Unmarshal's error for a member whose JSON value has
// the wrong type. Its Error is encoding/json's own text, so a service
// that reports every decode failure alike keeps its message.
type MemberTypeError struct {
	// Member is the member's path with its first letter lowered, as AWS's
	// validation messages name members ("typeName" for TypeName).
	Member string
	// Kind is the Go kind the member needed (string, int, struct, ...).
	Kind reflect.Kind
	err  *json.UnmarshalTypeError
}

func (e *MemberTypeError) Error() string { return e.err.Error() }
func (e *MemberTypeError) Unwrap() error { return e.err }

// Unmarshal decodes an operation's JSON input into v. Unknown members are
// ignored, as AWS's deserializers do. A member of the wrong type is a
// *MemberTypeError; malformed JSON is encoding/json's error. An empty
// body is the caller's to treat: services differ on it.
func Unmarshal(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &MemberTypeError{Member: lowerFirst(te.Field), Kind: te.Type.Kind(), err: te}
	}
	return err
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// WriteResult answers an operation's output v with 200. If v does not
// marshal, nothing is written and the error is returned, for the caller
// to answer as its internal failure.
func (p JSON) WriteResult(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", p.ContentType)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return nil
}

// Error is an awsJson error response.
type Error struct {
	Status int
	// Type is the document's "__type": the exception's shape name, with
	// the Smithy namespace before '#' where the service sends one
	// ("com.amazon.coral.validate#ValidationException").
	Type string
	// Code is the x-amzn-ErrorType header, the bare shape name; empty is
	// Type.
	Code    string
	Message string
	// BothMessages also writes Message under "Message": the modelled
	// member name, which some clients read instead of "message".
	BothMessages bool
}

// WriteError answers e. The document is {"__type", "message"} (plus
// "Message" with BothMessages), in that order; a 429 carries
// Retry-After: 1, as AWS's throttling answers do.
func (p JSON) WriteError(w http.ResponseWriter, e Error) {
	var b []byte
	if e.BothMessages {
		b, _ = json.Marshal(struct {
			Type     string `json:"__type"`
			Message  string `json:"message"`
			Message2 string `json:"Message"`
		}{e.Type, e.Message, e.Message})
	} else {
		b, _ = json.Marshal(struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}{e.Type, e.Message})
	}
	code := e.Code
	if code == "" {
		code = e.Type
	}
	h := w.Header()
	h.Set("Content-Type", p.ContentType)
	h.Set("x-amzn-ErrorType", code)
	if e.Status == http.StatusTooManyRequests {
		h.Set("Retry-After", "1")
	}
	w.WriteHeader(e.Status)
	w.Write(b)
}

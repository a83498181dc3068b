package sigv4

import (
	"fmt"
	"net/http"
)

// AWS's error codes for authentication failures.
const (
	// CodeMissingToken: the request carries no signature at all.
	CodeMissingToken = "MissingAuthenticationTokenException"
	// CodeIncomplete: the Authorization header or the presigned query
	// is malformed or lacks a part.
	CodeIncomplete = "IncompleteSignatureException"
	// CodeUnrecognizedClient: the access key (or its session token) is
	// not one of the configured credentials.
	CodeUnrecognizedClient = "UnrecognizedClientException"
	// CodeInvalidSignature: the signature does not match, is outside its
	// time window, or its credential scope is inconsistent.
	CodeInvalidSignature = "InvalidSignatureException"
	// CodeContentSHA256Mismatch: X-Amz-Content-Sha256 is not the body's
	// hash.
	CodeContentSHA256Mismatch = "XAmzContentSHA256Mismatch"
)

// Messages AWS sends word for word.
const (
	msgMissingToken = "Missing Authentication Token"
	msgUnrecognized = "The security token included in the request is invalid."
	msgMismatch     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgSHA256       = "The provided 'x-amz-content-sha256' header does not match what was computed."
)

// Error is a verification failure as AWS reports it: Code is the
// exception name (x-amzn-ErrorType / __type), Status the HTTP status and
// Message the text AWS sends.
type Error struct {
	Code    string
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errMissing() *Error {
	return &Error{Code: CodeMissingToken, Status: http.StatusForbidden, Message: msgMissingToken}
}

func errUnrecognized() *Error {
	return &Error{Code: CodeUnrecognizedClient, Status: http.StatusForbidden, Message: msgUnrecognized}
}

func errMismatch() *Error {
	return &Error{Code: CodeInvalidSignature, Status: http.StatusForbidden, Message: msgMismatch}
}

func errInvalid(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidSignature, Status: http.StatusForbidden, Message: fmt.Sprintf(format, args...)}
}

// errIncomplete is AWS's 400 for a malformed signature (its common
// errors list IncompleteSignature as 400).
func errIncomplete(msg string) *Error {
	return &Error{Code: CodeIncomplete, Status: http.StatusBadRequest, Message: msg}
}

func errSHA256() *Error {
	return &Error{Code: CodeContentSHA256Mismatch, Status: http.StatusBadRequest, Message: msgSHA256}
}

// Package sigv4 verifies AWS Signature Version 4 requests, the one
// verifier every part of Stagecoach that authenticates AWS callers uses:
// the management plane (serve --credentials) today, AWS_IAM method
// authorization on the data plane later.
//
// Use:
//
//	creds, err := sigv4.LoadCredentialsFile("~/.aws/credentials")
//	v := &sigv4.Verifier{Credentials: creds}
//	id, err := v.Verify(r, body) // body: the request body, already read
//	var e *sigv4.Error
//	if errors.As(err, &e) { /* render e.Code, e.Status, e.Message in the protocol's shape */ }
//
// Verify accepts both forms AWS accepts: the Authorization header
// ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...")
// and presigned query strings (X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature). It
// never reads r.Body: the caller reads the body once (bounded) and passes
// it, so the handler behind can still read it. The body is hashed unless
// X-Amz-Content-Sha256 says UNSIGNED-PAYLOAD; a declared hash that does
// not match the body is refused.
//
// The canonical request follows AWS's rules: the path of the request line
// as sent, normalized (dot segments and empty segments removed) and
// URI-encoded a second time for every service but S3 (Verifier.S3 keeps
// it as is); query parameters decoded, re-encoded with AWS's unreserved
// set and sorted by key then value; signed header values trimmed and
// their inner runs of spaces collapsed, repeated headers joined by ",".
//
// Time: a header-signed request must be signed within AWS's 5-minute
// clock skew of Verifier.Now; a presigned one is valid from its
// X-Amz-Date (less the same skew) for X-Amz-Expires seconds (at most
// 604800; without X-Amz-Expires the 5-minute rule applies).
//
// X-Amz-Security-Token is accepted; when the credential carries an
// aws_session_token the request must present that token.
//
// The credential scope's date must match X-Amz-Date and end in
// "aws4_request"; its region and service are not checked against
// anything (Stagecoach answers every region and service on one
// endpoint) but are signed, so they cannot be altered, and are returned
// in the Identity.
//
// Failures are *Error values carrying AWS's error code, HTTP status and
// message, so each protocol can render them in its own shape and AWS
// clients print what they print against AWS.
package sigv4

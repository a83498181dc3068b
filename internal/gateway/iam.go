package gateway

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/stagecoach/stagecoach/internal/sigv4"
)

// AWS_IAM methods: the caller must sign the request with SigV4 (service
// execute-api) using one of the configured credentials (serve
// --credentials, the same verifier and file as the management plane).
// Without any configured credentials every signature is refused: an IAM
// method is never open. A signed call fills $context.identity.accessKey,
// caller, user, userArn and accountId.

// iamStep verifies the caller's signature before the rest of the
// pipeline.
func (c *compiler) iamStep() step {
	verifier := c.g.iamVerifier
	return func(next handler) handler {
		return func(inv *invocation) {
			r := inv.r
			if !sigv4.HasSignature(r) {
				respMissingAuthToken.write(inv)
				return
			}
			body, err := readBody(r)
			if err != nil {
				c.g.writeBackendError(inv, r.Context(), err, "request body")
				return
			}
			// The body was consumed for the payload hash; the integration
			// reads it again.
			r.Body = io.NopCloser(bytes.NewReader(body))
			id, err := verifier.Verify(r, body)
			if err == nil && id.Service != "execute-api" {
				err = &sigv4.Error{Code: sigv4.CodeInvalidSignature, Status: http.StatusForbidden,
					Message: "Credential should be scoped to correct service: 'execute-api'. "}
			}
			if err != nil {
				gr := iamRefusal(err)
				gr.write(inv)
				return
			}
			user := id.Profile
			if user == "" {
				user = id.AccessKeyID
			}
			inv.auth = &authContext{accessKey: id.AccessKeyID, caller: id.AccessKeyID, user: id.AccessKeyID,
				userArn: "arn:aws:iam::" + accountID + ":user/" + user, accountID: accountID}
			next(inv)
		}
	}
}

// iamRefusal is the gateway response for a failed verification, with
// AWS's code and message: MISSING_AUTHENTICATION_TOKEN, EXPIRED_TOKEN for
// a signature outside its time window, else INVALID_SIGNATURE.
func iamRefusal(err error) gatewayResponse {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return respMissingAuthToken
	}
	typ := gtInvalidSignature
	switch {
	case se.Code == sigv4.CodeMissingToken:
		return respMissingAuthToken
	case strings.HasPrefix(se.Message, "Signature expired"):
		typ = gtExpiredToken
	}
	return newGatewayResponse(typ, se.Status, se.Code, `{"message":"`+jsonEscape(se.Message)+`"}`)
}

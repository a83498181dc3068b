package apigw

import (
	"errors"
	"fmt"
)

// Kind classifies a domain error the way API Gateway classifies its
// exceptions; the control plane maps each kind to an HTTP status and an
// x-amzn-ErrorType value.
type Kind int

const (
	// KindBadRequest is BadRequestException (400).
	KindBadRequest Kind = iota + 1
	// KindNotFound is NotFoundException (404).
	KindNotFound
	// KindConflict is ConflictException (409).
	KindConflict
	// KindLimitExceeded is LimitExceededException (429).
	KindLimitExceeded
	// KindTooManyRequests is TooManyRequestsException (429).
	KindTooManyRequests
	// KindUnauthorized is UnauthorizedException (401).
	KindUnauthorized
	// KindValidation is the out-of-model ValidationException (400) some AWS
	// validation paths emit.
	KindValidation
)

// String returns the AWS exception name for the kind.
func (k Kind) String() string {
	switch k {
	case KindBadRequest:
		return "BadRequestException"
	case KindNotFound:
		return "NotFoundException"
	case KindConflict:
		return "ConflictException"
	case KindLimitExceeded:
		return "LimitExceededException"
	case KindTooManyRequests:
		return "TooManyRequestsException"
	case KindUnauthorized:
		return "UnauthorizedException"
	case KindValidation:
		return "ValidationException"
	}
	return "InternalFailure"
}

// Error is a domain error with AWS's classification and message text. The
// message is reproduced byte for byte on the wire, so keep AWS's wording.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Kind.String() + ": " + e.Message }

// BadRequest returns a BadRequestException with a formatted message.
func BadRequest(format string, args ...any) error {
	return &Error{Kind: KindBadRequest, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns a NotFoundException with a formatted message.
func NotFound(format string, args ...any) error {
	return &Error{Kind: KindNotFound, Message: fmt.Sprintf(format, args...)}
}

// Conflict returns a ConflictException with a formatted message.
func Conflict(format string, args ...any) error {
	return &Error{Kind: KindConflict, Message: fmt.Sprintf(format, args...)}
}

// LimitExceeded returns a LimitExceededException with a formatted message.
func LimitExceeded(format string, args ...any) error {
	return &Error{Kind: KindLimitExceeded, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, or 0 when err is not a domain error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// Messages shared by several operations. They are AWS's recorded texts.
const (
	MsgInvalidStage      = "Invalid Stage identifier specified"
	MsgInvalidResource   = "Invalid Resource identifier specified"
	MsgInvalidMethod     = "Invalid Method identifier specified"
	MsgInvalidDeployment = "Invalid Deployment identifier specified"
	MsgDeploymentMissing = "Deployment id does not exist"
	MsgNoIntegration     = "No integration defined for method"
	MsgInvalidStatusCode = "Invalid Response status code specified"
	MsgLoggingRoleNeeded = "CloudWatch Logs role ARN must be set in account settings to enable logging"
)

// ErrAPINotFound returns AWS's NotFoundException for an unknown REST API id.
func ErrAPINotFound(accountID, restAPIID string) error {
	return NotFound("Invalid API identifier specified %s:%s", accountID, restAPIID)
}

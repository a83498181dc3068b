package accesslog

import "strings"

// MaxFormatBytes is the largest format AWS accepts: 3 KB (developer guide,
// API Gateway quotas: "Access log template size").
const MaxFormatBytes = 3 * 1024

// Validation messages. Stagecoach's control plane returns them as
// BadRequestException messages.
const (
	// MsgFormatSingleLine is AWS's text, captured from real
	// BadRequestExceptions.
	MsgFormatSingleLine = "Access Log format must be single line, new line character is allowed only at end of the format"
	// MsgFormatRequestID: AWS requires $context.requestId or
	// $context.extendedRequestId (current developer guide: "Access logs
	// must contain at least $context.requestId or
	// $context.extendedRequestId"; the CDK relaxed its own check to match
	// the control plane). The exact AWS wording is unverified.
	MsgFormatRequestID = "Access Log format must contain at least one of $context.requestId or $context.extendedRequestId"
	// MsgFormatTooLong: the limit is documented, the wording unverified.
	MsgFormatTooLong = "Access Log format size must be less than or equal to 3 KB"
)

// FormatError is a format that AWS would reject; Error() is the message.
type FormatError struct{ Message string }

func (e *FormatError) Error() string { return e.Message }

// Validate checks a format the way UpdateStage/CreateStage do: at most
// 3 KB, one line (line breaks only at the end), and it names
// $context.requestId or $context.extendedRequestId. It returns a
// *FormatError or nil.
func Validate(format string) error {
	if len(format) > MaxFormatBytes {
		return &FormatError{MsgFormatTooLong}
	}
	if strings.ContainsAny(strings.TrimRight(format, "\r\n"), "\r\n") {
		return &FormatError{MsgFormatSingleLine}
	}
	if !namesRequestID(format) {
		return &FormatError{MsgFormatRequestID}
	}
	return nil
}

// namesRequestID reports whether the format uses $context.requestId or
// $context.extendedRequestId as a variable (not as a prefix of a longer
// name).
func namesRequestID(format string) bool {
	for _, p := range Compile(format).parts {
		if p.id == vRequestID || p.id == vExtendedRequestID {
			return true
		}
	}
	return false
}

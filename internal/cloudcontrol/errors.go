package cloudcontrol

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// apiError is an error Cloud Control answers synchronously, as an HTTP
// error response rather than a FAILED ProgressEvent.
type apiError struct {
	// Name is the modelled exception name, e.g. "ResourceNotFoundException".
	Name    string
	Status  int
	Message string
	// Namespace is the Smithy namespace AWS puts before '#' in __type.
	Namespace string
}

func (e *apiError) Error() string { return e.Name + ": " + e.Message }

// The namespaces AWS uses in __type. Alchemy compares __type as a whole
// string ("com.amazon.cloudapiservice#ResourceNotFoundException",
// "com.amazon.coral.validate#ValidationException"); the SDKs keep only
// what follows '#', so the prefixed form serves both.
const (
	nsCloudAPI = "com.amazon.cloudapiservice"
	nsValidate = "com.amazon.coral.validate"
	nsService  = "com.amazon.coral.service"
)

func ccErr(name string, status int, format string, args ...any) *apiError {
	return &apiError{Name: name, Status: status, Message: fmt.Sprintf(format, args...), Namespace: nsCloudAPI}
}

// errValidation is the out-of-model ValidationException AWS's request
// validator (and the resource schema validator) returns.
func errValidation(format string, args ...any) *apiError {
	return &apiError{Name: "ValidationException", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...), Namespace: nsValidate}
}

// errModel is a resource-schema violation, worded as CloudFormation's
// schema validator words it: "Model validation failed (#: ...)".
func errModel(format string, args ...any) *apiError {
	return errValidation("Model validation failed (%s)", fmt.Sprintf(format, args...))
}

func errTypeNotFound(typeName string) *apiError {
	return ccErr("TypeNotFoundException", http.StatusNotFound, "The type '%s' cannot be found.", typeName)
}

func errResourceNotFound(typeName, identifier string) *apiError {
	return ccErr("ResourceNotFoundException", http.StatusNotFound, "Resource of type '%s' with identifier '%s' was not found.", typeName, identifier)
}

func errInvalidRequest(format string, args ...any) *apiError {
	return ccErr("InvalidRequestException", http.StatusBadRequest, format, args...)
}

func errNotUpdatable(format string, args ...any) *apiError {
	return ccErr("NotUpdatableException", http.StatusBadRequest, format, args...)
}

func errUnsupportedAction(typeName, action string) *apiError {
	return ccErr("UnsupportedActionException", http.StatusMethodNotAllowed, "Resource type %s does not support %s action", typeName, action)
}

func errRequestTokenNotFound(token string) *apiError {
	return ccErr("RequestTokenNotFoundException", http.StatusNotFound, "Request with token %s was not found", token)
}

func errClientTokenConflict(token string) *apiError {
	return ccErr("ClientTokenConflictException", http.StatusConflict,
		"The client token %s was already used for a different request. Use a new client token for a new request.", token)
}

// errorCodeFor maps a domain error from the backplane onto the
// HandlerErrorCode a FAILED ProgressEvent carries. The mapping follows what
// the AWS::ApiGateway::* handlers report (U for the 409 cases: AlreadyExists
// on create, ResourceConflict otherwise).
func errorCodeFor(err error, op string) (code, message string) {
	var ae *apiError
	if errors.As(err, &ae) {
		return "InvalidRequest", ae.Message
	}
	var de *apigw.Error
	if !errors.As(err, &de) {
		return "InternalFailure", "Internal Failure"
	}
	switch de.Kind {
	case apigw.KindBadRequest, apigw.KindValidation:
		code = "InvalidRequest"
	case apigw.KindNotFound:
		code = "NotFound"
	case apigw.KindConflict:
		code = "ResourceConflict"
		if op == opCreate {
			code = "AlreadyExists"
		}
	case apigw.KindLimitExceeded:
		code = "ServiceLimitExceeded"
	case apigw.KindTooManyRequests:
		code = "Throttling"
	case apigw.KindUnauthorized:
		code = "AccessDenied"
	default:
		code = "GeneralServiceException"
	}
	return code, de.Message
}

// apiErrorFor turns a backplane error met while reading (GetResource,
// ListResources, the read before an update) into a synchronous error.
func apiErrorFor(err error, typeName, identifier string) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var de *apigw.Error
	if !errors.As(err, &de) {
		return err
	}
	switch de.Kind {
	case apigw.KindNotFound:
		if identifier != "" {
			return errResourceNotFound(typeName, identifier)
		}
		return ccErr("ResourceNotFoundException", http.StatusNotFound, "%s", de.Message)
	case apigw.KindTooManyRequests, apigw.KindLimitExceeded:
		return &apiError{Name: "ThrottlingException", Status: http.StatusTooManyRequests, Message: de.Message, Namespace: "com.amazon.coral.availability"}
	}
	return errInvalidRequest("%s", de.Message)
}

// Package cloudcontrol serves the AWS Cloud Control API (service version
// 2021-09-30, protocol awsJson1_0) for the AWS::ApiGateway::* resource
// types, so Alchemy, `aws cloudcontrol` and other Cloud Control clients can
// manage stages as code.
//
// Every resource type maps its CloudFormation property document onto the
// same backplane operations the REST control API uses; this package checks
// only what Cloud Control itself checks (request shape, the resource
// schema, createOnly/readOnly rules) and leaves every API Gateway rule to
// the backplane, so a stage made either way is identical and errors carry
// the same text.
//
// Mutations complete synchronously: the ProgressEvent returned by
// CreateResource/UpdateResource/DeleteResource is already SUCCESS or
// FAILED, and it is persisted in the store so GetResourceRequestStatus
// answers the same after a restart.
package cloudcontrol

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stagecoach/stagecoach/internal/awsproto"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// Server is the Cloud Control handler.
type Server struct {
	svc   *backplane.Service
	types map[string]resourceType

	// inflight holds the request tokens this process is executing; a
	// stored IN_PROGRESS request that is not here was cut short by a
	// restart.
	// resources maps "TypeName|Identifier" to the token of the request
	// changing it.
	mu        sync.Mutex
	inflight  map[string]bool
	resources map[string]string
}

var _ http.Handler = (*Server)(nil)

// New returns a Server over svc.
func New(svc *backplane.Service) *Server {
	s := &Server{svc: svc, types: map[string]resourceType{}, inflight: map[string]bool{}, resources: map[string]string{}}
	for _, t := range []resourceType{
		&stageType{svc: svc},
		&restAPIType{svc: svc},
		&resourceNodeType{svc: svc},
		&methodType{svc: svc},
		&deploymentType{svc: svc},
		&accountType{svc: svc},
		&apiModelType{svc: svc},
		&requestValidatorType{svc: svc},
		&apiKeyType{svc: svc},
		&usagePlanType{svc: svc},
		&usagePlanKeyType{svc: svc},
		&authorizerType{svc: svc},
		&gatewayResponseType{svc: svc},
	} {
		s.types[t.meta().TypeName] = t
	}
	return s
}

// protocol is Cloud Control's awsJson1_0 envelope. A body is bounded by
// DesiredState and PatchDocument, at most 262144 characters each (the
// model's limit), plus the envelope.
var protocol = awsproto.JSON{TargetPrefix: "CloudApiService.", ContentType: "application/x-amz-json-1.0", MaxBody: 1 << 20}

type operation func(s *Server, r *http.Request, body []byte) (any, error)

var operations = map[string]operation{
	"CreateResource":           (*Server).createResource,
	"GetResource":              (*Server).getResource,
	"UpdateResource":           (*Server).updateResource,
	"DeleteResource":           (*Server).deleteResource,
	"ListResources":            (*Server).listResources,
	"GetResourceRequestStatus": (*Server).getResourceRequestStatus,
	"ListResourceRequests":     (*Server).listResourceRequests,
	"CancelResourceRequest":    (*Server).cancelResourceRequest,
}

// ServeHTTP implements http.Handler. The operation comes from
// X-Amz-Target; Alchemy also sends ?Action=<Op>&Version=2021-09-30, which
// names the same operation and is ignored.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", awsproto.NewRequestID())
	name, ok := protocol.Operation(r)
	op := operations[name]
	if !ok || op == nil {
		writeError(w, &apiError{Name: "UnknownOperationException", Status: http.StatusBadRequest, Namespace: nsService,
			Message: "Unknown operation " + r.Header.Get("X-Amz-Target")})
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, &apiError{Name: "UnknownOperationException", Status: http.StatusBadRequest, Namespace: nsService,
			Message: "Cloud Control operations must be sent with POST"})
		return
	}
	body, err := protocol.ReadBody(r)
	if errors.Is(err, awsproto.ErrBodyTooLarge) {
		writeError(w, errValidation("request body exceeds %d bytes", protocol.MaxBody))
		return
	}
	if err != nil {
		writeError(w, errValidation("could not read request body"))
		return
	}
	out, err := op(s, r, body)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := protocol.WriteResult(w, out); err != nil {
		writeError(w, err)
	}
}

// writeError renders err as awsJson1_0 does. The body carries the message
// under both "message" (what AWS's validation layer and Alchemy's
// ValidationException handling use) and "Message" (the modelled member
// name, which Alchemy reads for ConcurrentOperationException); the SDKs
// accept either.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		slog.Error("cloud control: internal error", "err", err)
		ae = &apiError{Name: "ServiceInternalErrorException", Status: http.StatusBadGateway, Namespace: nsCloudAPI,
			Message: "Internal failure"}
	}
	protocol.WriteError(w, awsproto.Error{Status: ae.Status, Type: ae.Namespace + "#" + ae.Name, Code: ae.Name,
		Message: ae.Message, BothMessages: true})
}

// decodeInput decodes an operation's JSON input. Unknown members are
// ignored, as AWS's deserializer does; a blank body is no members.
func decodeInput(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	err := awsproto.Unmarshal(body, v)
	var te *awsproto.MemberTypeError
	switch {
	case errors.As(err, &te):
		return errValidation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be of type %s",
			te.Member, te.Kind)
	case err != nil:
		return &apiError{Name: "SerializationException", Status: http.StatusBadRequest, Namespace: nsService,
			Message: "Could not parse request body: " + err.Error()}
	}
	return nil
}

// now is the event time; the Service's clock makes tests deterministic.
func (s *Server) now() time.Time {
	if s.svc.Now != nil {
		return s.svc.Now()
	}
	return time.Now()
}

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
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

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
	} {
		s.types[t.meta().TypeName] = t
	}
	return s
}

// maxBodyBytes bounds a request: DesiredState and PatchDocument are at
// most 262144 characters each (the model's limit), plus the envelope.
const maxBodyBytes = 1 << 20

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
	w.Header().Set("x-amzn-RequestId", newRequestID())
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, "CloudApiService.")
	op := operations[name]
	if !ok || op == nil {
		writeError(w, &apiError{Name: "UnknownOperationException", Status: http.StatusBadRequest, Namespace: nsService,
			Message: "Unknown operation " + target})
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, &apiError{Name: "UnknownOperationException", Status: http.StatusBadRequest, Namespace: nsService,
			Message: "Cloud Control operations must be sent with POST"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		writeError(w, errValidation("could not read request body"))
		return
	}
	if len(body) > maxBodyBytes {
		writeError(w, errValidation("request body exceeds %d bytes", maxBodyBytes))
		return
	}
	out, err := op(s, r, body)
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
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
	typ := ae.Namespace + "#" + ae.Name
	b, _ := json.Marshal(struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}{typ, ae.Message, ae.Message})
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("x-amzn-ErrorType", ae.Name)
	if ae.Status == http.StatusTooManyRequests {
		h.Set("Retry-After", "1")
	}
	w.WriteHeader(ae.Status)
	w.Write(b)
}

// decodeInput decodes an operation's JSON input. Unknown members are
// ignored, as AWS's deserializer does.
func decodeInput(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errValidation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be of type %s",
				lowerFirst(te.Field), te.Type.Kind())
		}
		return &apiError{Name: "SerializationException", Status: http.StatusBadRequest, Namespace: nsService,
			Message: "Could not parse request body: " + err.Error()}
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// now is the event time; the Service's clock makes tests deterministic.
func (s *Server) now() time.Time {
	if s.svc.Now != nil {
		return s.svc.Now()
	}
	return time.Now()
}

package controlapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// maxBodyBytes bounds request bodies. OpenAPI imports may be 6 MB (AWS's
// limit); other bodies are far smaller.
const maxBodyBytes = 6 << 20

// errorTypeSuffix is what AWS appends to x-amzn-ErrorType; SDKs ignore
// everything after the colon.
const errorTypeSuffix = ":http://internal.amazon.com/coral/com.amazonaws.backplane.controlplane/"

func statusFor(k apigw.Kind) int {
	switch k {
	case apigw.KindBadRequest, apigw.KindValidation:
		return http.StatusBadRequest
	case apigw.KindUnauthorized:
		return http.StatusUnauthorized
	case apigw.KindNotFound:
		return http.StatusNotFound
	case apigw.KindConflict:
		return http.StatusConflict
	case apigw.KindLimitExceeded, apigw.KindTooManyRequests:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// writeError renders err as AWS does: status, x-amzn-ErrorType and a
// {"message": ...} body. Errors that are not domain errors are internal
// failures; their text is logged, not sent.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errBodyTooLarge) {
		writeTooLarge(w)
		return
	}
	var de *apigw.Error
	if !errors.As(err, &de) {
		slog.Error("control api: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		de = &apigw.Error{Kind: 0, Message: "Internal server error"}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if de.Kind == 0 {
		h.Set("x-amzn-ErrorType", "InternalFailure")
	} else {
		h.Set("x-amzn-ErrorType", de.Kind.String()+errorTypeSuffix)
	}
	if de.Kind == apigw.KindLimitExceeded || de.Kind == apigw.KindTooManyRequests {
		h.Set("Retry-After", "1")
	}
	w.WriteHeader(statusFor(de.Kind))
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{de.Message})
	w.Write(b)
}

// writeJSON writes v with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// writeEmpty answers a call whose output is Unit.
func writeEmpty(w http.ResponseWriter, status int) {
	w.WriteHeader(status)
}

// errBodyTooLarge is a request body over maxBodyBytes: 413, which no
// SDK retries. (It was a 429 LimitExceededException, and the AWS CLI
// re-uploaded a 7 MB body five times before giving up.)
var errBodyTooLarge = errors.New("controlapi: request body too large")

// writeTooLarge answers an over-size body as AWS's front end does for
// its data plane (REQUEST_TOO_LARGE: 413 "Request Too Long"), with the
// limit named so the user knows what to cut. The error type is not in
// API Gateway's model, so SDKs surface it by name without retrying.
func writeTooLarge(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-amzn-ErrorType", "RequestEntityTooLargeException")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	w.Write([]byte(`{"message":"Request Too Long: request body exceeds the maximum size of 6MB"}`))
}

// readBody reads a bounded request body. A Content-Length over the bound
// is refused before any byte is read.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > maxBodyBytes {
		return nil, errBodyTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, apigw.BadRequest("Could not read request body")
	}
	if len(b) > maxBodyBytes {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// decodeBody decodes a JSON request body into v. An empty body decodes as
// {}. Malformed JSON and type mismatches are BadRequestExceptions naming
// the problem, as API Gateway's deserializer reports them.
func decodeBody(r *http.Request, v any) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return apigw.BadRequest("Invalid value for field '%s': expected %s", te.Field, te.Type)
		}
		return apigw.BadRequest("Could not parse request body into json: %s", err.Error())
	}
	return nil
}

// patchBody is the body of every Update* call.
type patchBody struct {
	PatchOperations []apigw.PatchOperation `json:"patchOperations"`
}

func decodePatch(r *http.Request) ([]apigw.PatchOperation, error) {
	var p patchBody
	if err := decodeBody(r, &p); err != nil {
		return nil, err
	}
	return p.PatchOperations, nil
}

// collection is the shape of every paged list: {"item": [...], "position": "..."}.
type collection[T any] struct {
	Item     []T    `json:"item"`
	Position string `json:"position,omitempty"`
}

// page applies ?position=&limit= to items. The position token is the
// offset of the next item; limit defaults to 25 and may be 1..500.
func page[T any](r *http.Request, items []T) (collection[T], error) {
	q := r.URL.Query()
	limit := 25
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return collection[T]{}, apigw.BadRequest("Invalid limit specified: %s", v)
		}
		limit = n
	}
	start := 0
	if v := q.Get("position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return collection[T]{}, apigw.BadRequest("Invalid position specified: %s", v)
		}
		start = n
	}
	if start > len(items) {
		start = len(items)
	}
	end := min(start+limit, len(items))
	c := collection[T]{Item: items[start:end]}
	if c.Item == nil {
		c.Item = []T{}
	}
	if end < len(items) {
		c.Position = strconv.Itoa(end)
	}
	return c, nil
}

func errUnknownOperation(r *http.Request) error {
	return apigw.NotFound("Unsupported operation: %s %s", r.Method, r.URL.Path)
}

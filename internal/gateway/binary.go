package gateway

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// Binary payloads for non-proxy integrations (HTTP, MOCK, AWS), as AWS's
// "content type conversions" tables describe them. A payload is binary
// when its Content-Type is one of the API's binaryMediaTypes.
//
// Request (integration contentHandling):
//
//	CONVERT_TO_TEXT    binary body → Base64 text; text stays
//	CONVERT_TO_BINARY  text body → Base64-decoded bytes; binary stays
//	unset              passed through
//
// Response (the chosen integration response's contentHandling; binary
// payload: the backend's Content-Type; binary Accept: the request's
// first Accept type):
//
//	CONVERT_TO_TEXT    binary payload → Base64 text
//	CONVERT_TO_BINARY  text payload → Base64-decoded bytes
//	unset              text payload, binary Accept → decoded;
//	                   binary payload, text Accept → Base64 text
//
// Text that is not Base64 where bytes are wanted is a configuration
// error (500). Proxy integrations are not converted: HTTP_PROXY relays
// bytes, AWS_PROXY uses isBase64Encoded (lambda.go).

const (
	convertToText   = "CONVERT_TO_TEXT"
	convertToBinary = "CONVERT_TO_BINARY"
)

// contentHandlingStep compiles the conversions of a method into the step
// wrapping its integration, or nil when nothing can be converted.
func (c *compiler) contentHandlingStep(v *variant, am *apigw.Method) step {
	in := am.MethodIntegration
	if in == nil || (in.Type != apigw.IntegrationHTTP && in.Type != apigw.IntegrationMock && in.Type != apigw.IntegrationAWS) {
		return nil
	}
	ch := &contentHandling{request: in.ContentHandling, types: v.binaryMediaTypes, responses: map[int]string{}}
	converts := ch.request != "" || len(ch.types) > 0
	for code, ir := range in.IntegrationResponses {
		if status, err := strconv.Atoi(code); err == nil {
			ch.responses[status] = ir.ContentHandling
			converts = converts || ir.ContentHandling != ""
		}
	}
	if !converts {
		return nil
	}
	return ch.step
}

type contentHandling struct {
	request   string
	types     []string
	responses map[int]string // method response status → contentHandling
}

func (ch *contentHandling) step(next handler) handler {
	return func(inv *invocation) {
		if ch.request != "" {
			if !ch.convertRequest(inv) {
				respConfigurationError.write(inv)
				return
			}
		}
		w := &bufferedWriter{ResponseWriter: inv.w}
		inv.w = w
		next(inv)
		inv.w = w.ResponseWriter
		ch.finish(inv, w)
	}
}

// convertRequest applies the integration's contentHandling to the body;
// false when text to decode is not Base64.
func (ch *contentHandling) convertRequest(inv *invocation) bool {
	r := inv.r
	body, err := readBody(r)
	if err != nil || len(body) == 0 {
		return err == nil
	}
	binary := isBinary(r.Header.Get("Content-Type"), ch.types)
	switch {
	case ch.request == convertToText && binary:
		body = []byte(base64.StdEncoding.EncodeToString(body))
	case ch.request == convertToBinary && !binary:
		dec, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(body)))
		if err != nil {
			inv.integrationFailed("Unable to transform request body to binary: the body is not Base64")
			return false
		}
		body = dec
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return true
}

// finish converts the buffered method response and sends it. Gateway
// responses (errors) are sent as they are.
func (ch *contentHandling) finish(inv *invocation, w *bufferedWriter) {
	body := w.body.Bytes()
	if w.status != 0 && inv.obs.rw.gw == nil {
		payloadBinary := isBinary(inv.obs.backendContentType, ch.types)
		acceptBinary := isBinary(inv.r.Header.Get("Accept"), ch.types)
		encode, decode := false, false
		switch ch.responses[w.status] {
		case convertToText:
			encode = payloadBinary
		case convertToBinary:
			decode = !payloadBinary
		default:
			decode = !payloadBinary && acceptBinary
			encode = payloadBinary && !acceptBinary
		}
		switch {
		case encode:
			body = []byte(base64.StdEncoding.EncodeToString(body))
		case decode:
			dec, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(body)))
			if err != nil {
				inv.integrationFailed("Unable to transform response body to binary: the body is not Base64")
				for k := range w.Header() {
					if k != "X-Amzn-Requestid" && k != "X-Amz-Apigw-Id" {
						delete(w.Header(), k) // the integration response's headers
					}
				}
				respConfigurationError.write(inv)
				return
			}
			body = dec
		}
	}
	h := inv.w.Header()
	if w.status != 0 {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		inv.w.WriteHeader(w.status)
	}
	inv.w.Write(body)
}

// bufferedWriter holds a response until its body can be converted. The
// header map is the real writer's.
type bufferedWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *bufferedWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *bufferedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// Unwrap reaches the invocation's recording writer (noteGatewayResponse).
func (w *bufferedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

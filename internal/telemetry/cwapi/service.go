// Package cwapi serves the read side of the CloudWatch API (ListMetrics,
// GetMetricStatistics, GetMetricData) over the metrics cwmetrics stores,
// in the three protocols CloudWatch's clients speak:
//
//	awsQuery       POST / form body Action=...&Version=2010-08-01, XML
//	               answers (the AWS CLI, botocore)
//	Smithy RPC v2  POST /service/GraniteServiceVersion20100801/operation/{Op}
//	CBOR           with Smithy-Protocol: rpc-v2-cbor (aws-sdk-go-v2 ≥ 1.5x
//	               of the cloudwatch module, the JS SDK v3)
//	awsJson 1.0    X-Amz-Target: GraniteServiceVersion20100801.{Op}
//
// CloudWatch is awsQuery-compatible: the CBOR and JSON protocols carry
// the awsQuery error code in X-Amzn-Query-Error ("Code;Sender"), which
// the SDKs report as the error code.
package cwapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/stagecoach/stagecoach/internal/awsproto"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
)

// Wire constants.
const (
	ServiceName = "GraniteServiceVersion20100801"
	// CBORPathPrefix starts every RPC v2 CBOR request path.
	CBORPathPrefix = "/service/" + ServiceName + "/operation/"
	// TargetPrefix starts awsJson 1.0's X-Amz-Target.
	TargetPrefix = ServiceName + "."
	// Version is awsQuery's Version.
	Version  = "2010-08-01"
	xmlns    = "http://monitoring.amazonaws.com/doc/2010-08-01/"
	maxBody  = 1 << 20
	smithyNS = "com.amazonaws.cloudwatch#"
)

// Handler serves the CloudWatch API.
type Handler struct {
	metrics *cwmetrics.Collector
	// Now is the clock (RecentlyActive); nil is time.Now.
	Now func() time.Time
}

// New returns the handler.
func New(c *cwmetrics.Collector) *Handler { return &Handler{metrics: c} }

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// IsRequest reports whether r is a CloudWatch request in one of the
// protocols served here (for the front door).
func IsRequest(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, CBORPathPrefix) {
		return true
	}
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix) {
		return true
	}
	return r.Method == http.MethodPost && r.URL.Path == "/" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

type protocol uint8

// protocolOf tells the protocol of a request (for answers written before
// its body is read).
func protocolOf(r *http.Request) protocol {
	switch {
	case strings.HasPrefix(r.URL.Path, CBORPathPrefix):
		return protoCBOR
	case r.Header.Get("X-Amz-Target") != "":
		return protoJSON
	}
	return protoQuery
}

// WriteRefusal answers a request the front door's guard refused
// (authentication, host, cross-site checks) in the request's own
// protocol. Code is the bare error code (e.g. "MissingAuthenticationToken"),
// sent with the com.amazon.coral.service namespace where the protocol
// carries one, as AWS's authentication errors are.
func WriteRefusal(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	h := &Handler{}
	reqID := awsproto.NewRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	h.writeError(w, protocolOf(r), reqID, &apiError{Status: status, Code: code, Shape: "coral:" + code, Message: message})
}

const (
	protoQuery protocol = iota
	protoCBOR
	protoJSON
)

// apiError is an error answer. Code is the awsQuery code; Shape the
// modelled exception (empty: not modelled, e.g. ValidationError).
type apiError struct {
	Status  int
	Code    string
	Shape   string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func invalidValue(msg string) *apiError {
	return &apiError{400, "InvalidParameterValue", "InvalidParameterValueException", msg}
}
func invalidCombination(msg string) *apiError {
	return &apiError{400, "InvalidParameterCombination", "InvalidParameterCombinationException", msg}
}
func missingParameter(name string) *apiError {
	return &apiError{400, "MissingParameter", "MissingRequiredParameterException", "The parameter " + name + " is required."}
}
func validationError(msg string) *apiError {
	return &apiError{400, "ValidationError", "", msg}
}
func internalError() *apiError {
	return &apiError{500, "InternalServiceError", "InternalServiceFault", "Internal service error."}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := awsproto.NewRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	var (
		p    protocol
		op   string
		tree any
		err  error
	)
	switch {
	case strings.HasPrefix(r.URL.Path, CBORPathPrefix):
		p, op = protoCBOR, strings.TrimPrefix(r.URL.Path, CBORPathPrefix)
		var body []byte
		if body, err = readBody(r); err == nil {
			tree = map[string]any{}
			if len(body) > 0 {
				var v cbor.Value
				if v, err = cbor.Decode(body); err == nil {
					tree, err = fromCBOR(v)
				}
			}
		}
	case r.Header.Get("X-Amz-Target") != "":
		p, op = protoJSON, strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
		var body []byte
		if body, err = readBody(r); err == nil {
			tree, err = fromJSON(body)
		}
	default:
		p = protoQuery
		var body []byte
		var form url.Values
		if body, err = readBody(r); err == nil {
			if form, err = url.ParseQuery(string(body)); err == nil {
				op = form.Get("Action")
				if v := form.Get("Version"); v != Version && op != "" {
					h.writeError(w, p, reqID, &apiError{400, "InvalidAction", "", "Could not find operation " + op + " for version " + v})
					return
				}
				tree = fromQuery(form)
			}
		}
	}
	if err != nil {
		h.writeError(w, p, reqID, &apiError{400, "SerializationException", "", "The request body could not be read: " + err.Error()})
		return
	}
	out, aerr := h.dispatch(r.Context(), op, tree)
	if aerr != nil {
		h.writeError(w, p, reqID, aerr)
		return
	}
	h.writeResult(w, p, op, reqID, out)
}

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err == nil && len(b) > maxBody {
		err = awsproto.ErrBodyTooLarge
	}
	return b, err
}

func (h *Handler) dispatch(ctx context.Context, op string, tree any) (any, *apiError) {
	bindInto := func(in any) *apiError {
		if err := bind(tree, in); err != nil {
			if be, ok := err.(*bindError); ok {
				return invalidValue(be.Error())
			}
			return invalidValue(err.Error())
		}
		return nil
	}
	switch op {
	case "ListMetrics":
		var in listMetricsInput
		if e := bindInto(&in); e != nil {
			return nil, e
		}
		return h.listMetrics(ctx, &in)
	case "GetMetricStatistics":
		var in getMetricStatisticsInput
		if e := bindInto(&in); e != nil {
			return nil, e
		}
		return h.getMetricStatistics(ctx, &in)
	case "GetMetricData":
		var in getMetricDataInput
		if e := bindInto(&in); e != nil {
			return nil, e
		}
		return h.getMetricData(ctx, &in)
	case "":
		return nil, missingParameter("Action")
	}
	return nil, &apiError{400, "InvalidAction", "", "Could not find operation " + op + " for version " + Version}
}

func (h *Handler) writeResult(w http.ResponseWriter, p protocol, op, reqID string, out any) {
	v := reflect.ValueOf(out)
	switch p {
	case protoCBOR:
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		w.WriteHeader(http.StatusOK)
		w.Write(cbor.Encode(toCBOR(v)))
	case protoJSON:
		b, _ := json.Marshal(toJSON(v))
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusOK)
		w.Write(b)
	default:
		var b bytes.Buffer
		b.WriteString(`<` + op + `Response xmlns="` + xmlns + `"><` + op + `Result>`)
		writeXML(&b, v)
		b.WriteString(`</` + op + `Result><ResponseMetadata><RequestId>` + reqID + `</RequestId></ResponseMetadata></` + op + `Response>`)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		w.Write(b.Bytes())
	}
}

func (h *Handler) writeError(w http.ResponseWriter, p protocol, reqID string, e *apiError) {
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	typ := e.Code
	switch {
	case strings.HasPrefix(e.Shape, "coral:"):
		typ = "com.amazon.coral.service#" + strings.TrimPrefix(e.Shape, "coral:")
	case e.Shape != "":
		typ = smithyNS + e.Shape
	}
	switch p {
	case protoCBOR:
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("X-Amzn-Query-Error", e.Code+";"+fault)
		w.WriteHeader(e.Status)
		w.Write(cbor.Encode(cbor.Map{"__type": cbor.String(typ), "message": cbor.String(e.Message)}))
	case protoJSON:
		w.Header().Set("X-Amzn-Query-Error", e.Code+";"+fault)
		awsproto.JSON{ContentType: "application/x-amz-json-1.0"}.WriteError(w, awsproto.Error{
			Status: e.Status, Type: typ, Code: e.Code, Message: e.Message})
	default:
		var b bytes.Buffer
		b.WriteString(`<ErrorResponse xmlns="` + xmlns + `"><Error><Type>` + fault + `</Type><Code>`)
		writeXML(&b, reflect.ValueOf(e.Code))
		b.WriteString(`</Code><Message>`)
		writeXML(&b, reflect.ValueOf(e.Message))
		b.WriteString(`</Message></Error><RequestId>` + reqID + `</RequestId></ErrorResponse>`)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.Status)
		w.Write(b.Bytes())
	}
}

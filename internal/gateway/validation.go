package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/modelschema"
)

// Request validation (the method's requestValidatorId): before the
// integration is called, API Gateway checks that the required method
// request parameters are present and not blank (validateRequestParameters)
// and that the body matches the model its content type selects
// (validateRequestBody). Failures answer through the BAD_REQUEST_PARAMETERS
// and BAD_REQUEST_BODY gateway responses, so an API's customization of
// them applies.

// requestValidation is one method's compiled validation.
type requestValidation struct {
	// params are the required parameters, in name order (the order of
	// AWS's "Missing required request parameters: [a, b]").
	params []requiredParam
	// models maps a lower-case media type (or "$default") to a model name;
	// nil when the body is not validated.
	models map[string]string
	set    *modelschema.Set
}

type requiredParam struct {
	loc  string // "path", "querystring" or "header"
	name string // as declared; headers are looked up canonically
	key  string // canonical header name
}

// validateStep compiles the method's request validator into a pipeline
// step, or nil when the method validates nothing.
func (c *compiler) validateStep(v *variant, m *method, am *apigw.Method) step {
	if am.RequestValidatorID == "" || v.snapshot == nil {
		return nil
	}
	rv := v.snapshot.RequestValidators[am.RequestValidatorID]
	if rv == nil {
		c.warn(v, m, "request validator not found in the deployment; requests are not validated", "request_validator_id", am.RequestValidatorID)
		return nil
	}
	val := &requestValidation{}
	if rv.ValidateRequestParameters {
		for _, k := range slices.Sorted(maps.Keys(am.RequestParameters)) {
			if !am.RequestParameters[k] {
				continue
			}
			loc, name, ok := strings.Cut(strings.TrimPrefix(k, "method.request."), ".")
			if !ok {
				continue
			}
			val.params = append(val.params, requiredParam{loc: loc, name: name, key: textproto.CanonicalMIMEHeaderKey(name)})
		}
		slices.SortStableFunc(val.params, func(a, b requiredParam) int { return strings.Compare(a.name, b.name) })
	}
	if rv.ValidateRequestBody && len(am.RequestModels) > 0 {
		if v.schemas == nil {
			var errs []error
			v.schemas, errs = modelschema.Compile(v.apiID, v.snapshot.Models)
			for _, err := range errs {
				c.log.Warn("model does not compile; bodies validated against it are refused", "rest_api_id", v.apiID,
					"stage", v.stageName, "deployment_id", v.deploymentID, "error", err)
			}
		}
		val.set = v.schemas
		val.models = make(map[string]string, len(am.RequestModels))
		for ct, name := range am.RequestModels {
			val.models[strings.ToLower(ct)] = name
		}
	}
	if len(val.params) == 0 && val.models == nil {
		return nil
	}
	return val.step
}

func (val *requestValidation) step(next handler) handler {
	return func(inv *invocation) {
		if missing := val.missing(inv); len(missing) > 0 {
			gr := validationResponse(gtBadRequestParameters, "Missing required request parameters: ["+strings.Join(missing, ", ")+"]")
			gr.validation = gr.message
			gr.write(inv)
			return
		}
		if val.models != nil {
			model, ok := val.models[requestMediaType(inv.r)]
			if !ok {
				model, ok = val.models["$default"]
			}
			if ok {
				body, err := readBody(inv.r)
				if err != nil {
					respRequestTooLarge.write(inv)
					return
				}
				// The integration reads the body again.
				inv.r.Body = io.NopCloser(bytes.NewReader(body))
				if errs := val.set.Validate(model, body); errs != nil {
					gr := validationResponse(gtBadRequestBody, "Invalid request body")
					gr.validation = "[" + strings.Join(errs, ", ") + "]"
					gr.write(inv)
					return
				}
			}
		}
		next(inv)
	}
}

// missing returns the names of the required parameters the request lacks
// or sends blank.
func (val *requestValidation) missing(inv *invocation) []string {
	var out []string
	for _, p := range val.params {
		var v string
		switch p.loc {
		case "querystring":
			if vs := inv.queryValues()[p.name]; len(vs) > 0 {
				v = vs[len(vs)-1]
			}
		case "header":
			v = inv.r.Header.Get(p.key)
		case "path":
			v, _ = inv.param(p.name)
		default:
			continue
		}
		if strings.TrimSpace(v) == "" {
			out = append(out, p.name)
		}
	}
	return out
}

// validationResponse is the gateway response of a validation failure, as
// AWS sends it by default: 400, BadRequestException, {"message": "..."}.
func validationResponse(t gwType, msg string) *gatewayResponse {
	q, _ := json.Marshal(msg)
	gr := newGatewayResponse(t, http.StatusBadRequest, "BadRequestException", `{"message": `+string(q)+`}`)
	return &gr
}

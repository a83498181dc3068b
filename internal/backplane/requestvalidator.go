package backplane

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// Request validator messages: AWS's texts (LocalStack's parity snapshots),
// except msgValidatorInUse, which is unverified and chosen here.
const (
	msgValidatorNameBlank = "Request Validator name cannot be blank"
	msgValidatorPatchOp   = "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations"
	msgValidatorPatchPath = "Invalid patch path  '%s' specified for op 'replace'. Must be one of: [/name, /validateRequestParameters, /validateRequestBody]"
	msgValidatorInUse     = "Cannot delete request validator '%s', is referenced in method: %s"
)

// CreateRequestValidatorInput is the body of CreateRequestValidator.
type CreateRequestValidatorInput struct {
	Name                      string `json:"name,omitempty"`
	ValidateRequestBody       bool   `json:"validateRequestBody,omitempty"`
	ValidateRequestParameters bool   `json:"validateRequestParameters,omitempty"`
}

func loadValidator(api *apigw.RestAPI, id string) (*apigw.RequestValidator, error) {
	v, ok := api.RequestValidators[id]
	if !ok {
		return nil, apigw.NotFound(msgInvalidValidator)
	}
	return v, nil
}

// CreateRequestValidator adds a request validator to an API.
func (s *Service) CreateRequestValidator(ctx context.Context, apiID string, in CreateRequestValidatorInput) (*apigw.RequestValidator, error) {
	v := &apigw.RequestValidator{Name: in.Name, ValidateRequestBody: in.ValidateRequestBody, ValidateRequestParameters: in.ValidateRequestParameters}
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		for {
			v.ID = apigw.NewModelID()
			if _, taken := api.RequestValidators[v.ID]; !taken {
				break
			}
		}
		if api.RequestValidators == nil {
			api.RequestValidators = map[string]*apigw.RequestValidator{}
		}
		api.RequestValidators[v.ID] = v
		return tx.PutRestAPI(api)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// GetRequestValidator returns one request validator.
func (s *Service) GetRequestValidator(ctx context.Context, apiID, id string) (*apigw.RequestValidator, error) {
	var out *apigw.RequestValidator
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		out, err = loadValidator(api, id)
		return err
	})
	return out, err
}

// GetRequestValidators returns an API's request validators ordered by
// name, then id.
func (s *Service) GetRequestValidators(ctx context.Context, apiID string) ([]*apigw.RequestValidator, error) {
	var out []*apigw.RequestValidator
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		out = slices.SortedFunc(maps.Values(api.RequestValidators), func(a, b *apigw.RequestValidator) int {
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		return nil
	})
	return out, err
}

// UpdateRequestValidator patches /name, /validateRequestBody and
// /validateRequestParameters (replace only), all or nothing.
func (s *Service) UpdateRequestValidator(ctx context.Context, apiID, id string, ops []apigw.PatchOperation) (*apigw.RequestValidator, error) {
	var out *apigw.RequestValidator
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		v, err := loadValidator(api, id)
		if err != nil {
			return err
		}
		for _, op := range ops {
			if op.Op != apigw.OpReplace {
				return apigw.BadRequest(msgValidatorPatchOp, op.Path, op.Op)
			}
			switch op.Path {
			case "/name":
				if strings.TrimSpace(op.Value) == "" {
					return apigw.BadRequest(msgValidatorNameBlank)
				}
				v.Name = op.Value
			case "/validateRequestBody", "/validateRequestParameters":
				b, err := defBool(op)
				if err != nil {
					return err
				}
				if op.Path == "/validateRequestBody" {
					v.ValidateRequestBody = b
				} else {
					v.ValidateRequestParameters = b
				}
			default:
				return apigw.BadRequest(msgValidatorPatchPath, op.Path)
			}
		}
		out = v
		if len(ops) == 0 {
			return nil
		}
		return tx.PutRestAPI(api)
	})
	return out, err
}

// DeleteRequestValidator removes a validator no method uses.
func (s *Service) DeleteRequestValidator(ctx context.Context, apiID, id string) error {
	return s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		if _, err := loadValidator(api, id); err != nil {
			return err
		}
		for _, r := range sortedResources(api) {
			for _, verb := range slices.Sorted(maps.Keys(r.ResourceMethods)) {
				if r.ResourceMethods[verb].RequestValidatorID == id {
					return apigw.Conflict(msgValidatorInUse, id, strings.TrimSuffix(r.Path, "/")+"/"+verb)
				}
			}
		}
		delete(api.RequestValidators, id)
		if len(api.RequestValidators) == 0 {
			api.RequestValidators = nil
		}
		return tx.PutRestAPI(api)
	})
}

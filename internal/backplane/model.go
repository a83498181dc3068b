package backplane

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/modelschema"
	"github.com/stagecoach/stagecoach/internal/store"
)

// Model messages. The empty-name, conflict, not-found, patch and
// in-use-by-a-method texts are AWS's (LocalStack's parity snapshots); the
// name-character, content-type and in-use-by-a-model texts are unverified
// and chosen here in AWS's style.
const (
	msgModelNameEmpty   = "Model name must be non-empty"
	msgModelNameChars   = "Model name must be alphanumeric: %s"
	msgModelContentType = "Model content type must be non-empty"
	msgModelExists      = "Model name already exists for this REST API"
	msgModelNotFound    = "Invalid model name specified: %s"
	msgModelInMethod    = "Cannot delete model '%s', is referenced in method request: %s"
	msgModelInResponse  = "Cannot delete model '%s', is referenced in method response: %s"
	msgModelInModel     = "Cannot delete model '%s', is referenced in model: %s"
	msgModelPatchOp     = "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations"
	msgModelPatchPath   = "Invalid patch path  '%s' specified for op 'replace'. Must be one of: [/description, /schema]"
)

// CreateModelInput is the body of CreateModel.
type CreateModelInput struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Schema      string `json:"schema,omitempty"`
	ContentType string `json:"contentType"`
}

func loadModel(api *apigw.RestAPI, name string) (*apigw.Model, error) {
	m, ok := api.Models[name]
	if !ok {
		return nil, apigw.NotFound(msgModelNotFound, name)
	}
	return m, nil
}

// CreateModel adds a model to an API. Its schema must be a valid draft 4
// schema whose references name models of the same API.
func (s *Service) CreateModel(ctx context.Context, apiID string, in CreateModelInput) (*apigw.Model, error) {
	m := &apigw.Model{Name: in.Name, Description: in.Description, Schema: in.Schema, ContentType: in.ContentType}
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		switch {
		case m.Name == "":
			return apigw.BadRequest(msgModelNameEmpty)
		case !apigw.ValidModelName(m.Name):
			return apigw.BadRequest(msgModelNameChars, m.Name)
		case m.ContentType == "":
			return apigw.BadRequest(msgModelContentType)
		}
		if _, exists := api.Models[m.Name]; exists {
			return apigw.Conflict(msgModelExists)
		}
		if err := modelschema.Check(apiID, api.Models, m.Name, m.Schema); err != nil {
			return err
		}
		m.ID = freshModelID(api)
		if api.Models == nil {
			api.Models = map[string]*apigw.Model{}
		}
		api.Models[m.Name] = m
		return tx.PutRestAPI(api)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// freshModelID draws a model id not used by another model of the API.
func freshModelID(api *apigw.RestAPI) string {
	for {
		id := apigw.NewModelID()
		if !slices.ContainsFunc(slices.Collect(maps.Values(api.Models)), func(m *apigw.Model) bool { return m.ID == id }) {
			return id
		}
	}
}

// GetModel returns one model.
func (s *Service) GetModel(ctx context.Context, apiID, name string) (*apigw.Model, error) {
	var out *apigw.Model
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		out, err = loadModel(api, name)
		return err
	})
	return out, err
}

// GetModels returns an API's models ordered by name.
func (s *Service) GetModels(ctx context.Context, apiID string) ([]*apigw.Model, error) {
	var out []*apigw.Model
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(api.Models)) {
			out = append(out, api.Models[name])
		}
		return nil
	})
	return out, err
}

// UpdateModel patches /schema and /description (replace only), all or
// nothing; a new schema is checked as CreateModel checks it.
func (s *Service) UpdateModel(ctx context.Context, apiID, name string, ops []apigw.PatchOperation) (*apigw.Model, error) {
	var out *apigw.Model
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		m, err := loadModel(api, name)
		if err != nil {
			return err
		}
		schemaChanged := false
		for _, op := range ops {
			if op.Op != apigw.OpReplace {
				return apigw.BadRequest(msgModelPatchOp, op.Path, op.Op)
			}
			switch op.Path {
			case "/schema":
				m.Schema, schemaChanged = op.Value, true
			case "/description":
				m.Description = op.Value
			default:
				return apigw.BadRequest(msgModelPatchPath, op.Path)
			}
		}
		if schemaChanged {
			others := maps.Clone(api.Models)
			delete(others, name)
			if err := modelschema.Check(apiID, others, name, m.Schema); err != nil {
				return err
			}
		}
		out = m
		if len(ops) == 0 {
			return nil
		}
		return tx.PutRestAPI(api)
	})
	return out, err
}

// DeleteModel removes a model that no method and no other model uses.
func (s *Service) DeleteModel(ctx context.Context, apiID, name string) error {
	return s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		if _, err := loadModel(api, name); err != nil {
			return err
		}
		if err := modelInUse(api, name); err != nil {
			return err
		}
		delete(api.Models, name)
		if len(api.Models) == 0 {
			api.Models = nil
		}
		return tx.PutRestAPI(api)
	})
}

// modelInUse returns AWS's ConflictException when a method request, a
// method response or another model references the model.
func modelInUse(api *apigw.RestAPI, name string) error {
	for _, r := range sortedResources(api) {
		for _, verb := range slices.Sorted(maps.Keys(r.ResourceMethods)) {
			m := r.ResourceMethods[verb]
			where := strings.TrimSuffix(r.Path, "/") + "/" + verb
			if slices.Contains(slices.Collect(maps.Values(m.RequestModels)), name) {
				return apigw.Conflict(msgModelInMethod, name, where)
			}
			for _, code := range slices.Sorted(maps.Keys(m.MethodResponses)) {
				if slices.Contains(slices.Collect(maps.Values(m.MethodResponses[code].ResponseModels)), name) {
					return apigw.Conflict(msgModelInResponse, name, where+"/"+code)
				}
			}
		}
	}
	for _, other := range slices.Sorted(maps.Keys(api.Models)) {
		if other != name && modelschema.References(api.ID, api.Models[other], name) {
			return apigw.Conflict(msgModelInModel, name, other)
		}
	}
	return nil
}

// GetModelTemplate generates a mapping template skeleton from a model's
// schema (see modelschema.Template).
func (s *Service) GetModelTemplate(ctx context.Context, apiID, name string) (string, error) {
	var out string
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		out, err = modelschema.Template(apiID, api.Models, name)
		return err
	})
	return out, err
}

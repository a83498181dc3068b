package backplane

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// maxCompressionSize is the largest minimumCompressionSize AWS accepts.
const maxCompressionSize = 10485760

// Endpoint types and API key sources, AWS's enums.
var (
	endpointTypes  = []string{"PRIVATE", "EDGE", "REGIONAL"}
	ipAddressTypes = []string{"ipv4", "dualstack"}
	apiKeySources  = []string{"HEADER", "AUTHORIZER"}
)

// Messages of the REST API operations. The first two are recorded AWS
// texts; the others are unverified and chosen here.
const (
	msgEmptyDescription  = "Description cannot be an empty string"
	msgCompressionSize   = "Invalid minimum compression size, must be between 0 and 10485760"
	msgEmptyName         = "Name cannot be an empty string" // as CloudFormation reports it
	msgMultipleEndpoints = "Cannot create an api with multiple Endpoint Types."
	msgInvalidPolicy     = "Invalid policy document. Please check the policy syntax and ensure that Principals are valid."
)

// CreateRestAPI creates an API with its root resource "/". With cloneFrom
// the new API starts with a copy of that API's resource tree (methods and
// integrations included) under fresh resource ids.
func (s *Service) CreateRestAPI(ctx context.Context, in CreateRestAPIInput) (*apigw.RestAPI, error) {
	api := &apigw.RestAPI{
		Name:                      in.Name,
		Version:                   in.Version,
		BinaryMediaTypes:          in.BinaryMediaTypes,
		MinimumCompressionSize:    in.MinimumCompressionSize,
		APIKeySource:              in.APIKeySource,
		EndpointConfiguration:     in.EndpointConfiguration,
		Policy:                    in.Policy,
		Tags:                      in.Tags,
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint,
	}
	if in.Description != nil {
		if *in.Description == "" {
			return nil, apigw.BadRequest(msgEmptyDescription)
		}
		api.Description = *in.Description
	}
	if api.APIKeySource == "" {
		api.APIKeySource = "HEADER"
	}
	if api.EndpointConfiguration == nil || len(api.EndpointConfiguration.Types) == 0 {
		ec := apigw.EndpointConfiguration{Types: []string{"EDGE"}}
		if api.EndpointConfiguration != nil {
			ec.IPAddressType = api.EndpointConfiguration.IPAddressType
			ec.VPCEndpointIDs = api.EndpointConfiguration.VPCEndpointIDs
		}
		api.EndpointConfiguration = &ec
	}
	if err := validateRestAPI(api, "createRestApiInput"); err != nil {
		return nil, err
	}
	err := s.update(ctx, func(tx store.Tx) error {
		id, err := freshAPIID(tx)
		if err != nil {
			return err
		}
		api.ID = id
		api.CreatedDate = s.now()
		if in.CloneFrom != "" {
			src, err := loadAPI(tx, in.CloneFrom)
			if err != nil {
				return err
			}
			api.Resources, api.RootResourceID = cloneResourceTree(src.Resources, src.RootResourceID)
			// The clone's methods name the source's models and validators,
			// so it gets copies of them (validators keep their ids).
			api.Models = cloneEach(src.Models, copyOf[apigw.Model])
			api.RequestValidators = cloneEach(src.RequestValidators, copyOf[apigw.RequestValidator])
			if api.BinaryMediaTypes == nil {
				api.BinaryMediaTypes = slices.Clone(src.BinaryMediaTypes)
			}
		} else {
			root := &apigw.Resource{ID: apigw.NewID(), Path: "/"}
			api.Resources = map[string]*apigw.Resource{root.ID: root}
			api.RootResourceID = root.ID
			// AWS creates the Empty and Error models with every API
			// (an imported API gets only its document's models).
			api.Models = apigw.DefaultModels()
		}
		return tx.PutRestAPI(api)
	})
	if err != nil {
		return nil, err
	}
	return api, nil
}

// freshAPIID draws ids until one is unused.
func freshAPIID(tx store.Tx) (string, error) {
	for {
		id := apigw.NewID()
		_, err := tx.RestAPI(id)
		if errors.Is(err, store.ErrNotFound) {
			return id, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// cloneResourceTree copies a resource tree under fresh ids, keeping the
// parent links, and returns the copy with the new root's id.
func cloneResourceTree(src map[string]*apigw.Resource, rootID string) (map[string]*apigw.Resource, string) {
	ids := make(map[string]string, len(src))
	for id := range src {
		ids[id] = apigw.NewID()
	}
	out := make(map[string]*apigw.Resource, len(src))
	for id, r := range src {
		c := cloneResource(r)
		c.ID = ids[id]
		if r.ParentID != "" {
			c.ParentID = ids[r.ParentID]
		}
		out[c.ID] = c
	}
	return out, ids[rootID]
}

// validateRestAPI checks the fields a create or an update may set. input
// names the request in enum errors ("createRestApiInput").
func validateRestAPI(api *apigw.RestAPI, input string) error {
	if api.Name == "" {
		return apigw.BadRequest(msgEmptyName)
	}
	if n := api.MinimumCompressionSize; n != nil && (*n < 0 || *n > maxCompressionSize) {
		return apigw.BadRequest(msgCompressionSize)
	}
	if !slices.Contains(apiKeySources, api.APIKeySource) {
		return defEnumError(api.APIKeySource, input+".apiKeySource", apiKeySources...)
	}
	if ec := api.EndpointConfiguration; ec != nil {
		for _, t := range ec.Types {
			if !slices.Contains(endpointTypes, t) {
				return defEnumError(t, input+".endpointConfiguration.types", endpointTypes...)
			}
		}
		if len(ec.Types) > 1 {
			return apigw.BadRequest(msgMultipleEndpoints)
		}
		if ec.IPAddressType != "" && !slices.Contains(ipAddressTypes, ec.IPAddressType) {
			return defEnumError(ec.IPAddressType, input+".endpointConfiguration.ipAddressType", ipAddressTypes...)
		}
	}
	if api.Policy != "" && !json.Valid([]byte(api.Policy)) {
		return apigw.BadRequest(msgInvalidPolicy)
	}
	return checkTags(api.Tags) // tags.go
}

// GetRestAPI returns one API.
func (s *Service) GetRestAPI(ctx context.Context, id string) (*apigw.RestAPI, error) {
	var api *apigw.RestAPI
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		api, err = loadAPI(tx, id)
		return err
	})
	return api, err
}

// GetRestAPIs returns every API, oldest first.
func (s *Service) GetRestAPIs(ctx context.Context) ([]*apigw.RestAPI, error) {
	var apis []*apigw.RestAPI
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		apis, err = tx.RestAPIs()
		return err
	})
	return apis, err
}

// UpdateRestAPI applies patch operations to the API's own fields. The
// request is all or nothing: the operations work on a copy that is stored
// only when every one of them, and the result, is valid.
func (s *Service) UpdateRestAPI(ctx context.Context, id string, ops []apigw.PatchOperation) (*apigw.RestAPI, error) {
	var out *apigw.RestAPI
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, id)
		if err != nil {
			return err
		}
		for _, op := range ops {
			if err := patchRestAPI(api, op); err != nil {
				return err
			}
		}
		if err := validateRestAPI(api, "updateRestApiInput"); err != nil {
			return err
		}
		out = api
		if len(ops) == 0 {
			return nil
		}
		return tx.PutRestAPI(api)
	})
	return out, err
}

// patchRestAPI applies one UpdateRestApi operation.
func patchRestAPI(api *apigw.RestAPI, op apigw.PatchOperation) error {
	field, key := defSplit(op.Path)
	switch {
	case key == "" && (field == "name" || field == "description" || field == "version" || field == "policy"):
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		switch field {
		case "name":
			api.Name = op.Value
		case "description":
			api.Description = op.Value
		case "version":
			api.Version = op.Value
		case "policy":
			api.Policy = op.Value
		}
	case key == "" && field == "minimumCompressionSize":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		// An empty value turns compression off again.
		if op.Value == "" {
			api.MinimumCompressionSize = nil
			return nil
		}
		n, err := strconv.Atoi(op.Value)
		if err != nil {
			return apigw.BadRequest(msgCompressionSize)
		}
		api.MinimumCompressionSize = &n
	case key == "" && field == "apiKeySource":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		api.APIKeySource = op.Value
	case key == "" && field == "disableExecuteApiEndpoint":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		b, err := defBool(op)
		if err != nil {
			return err
		}
		api.DisableExecuteAPIEndpoint = b
	case field == "binaryMediaTypes" && key != "":
		return patchBinaryMediaTypes(api, op, key)
	case field == "endpointConfiguration" && key != "":
		return patchEndpointConfiguration(api, op, key)
	default:
		return defInvalidPath(op.Path)
	}
	return nil
}

// patchBinaryMediaTypes handles /binaryMediaTypes/{type}: the media type
// is the (escaped) path key. add appends it, remove drops it (a type that
// is not there is ignored), and replace swaps it for the value, which AWS
// appends at the end.
func patchBinaryMediaTypes(api *apigw.RestAPI, op apigw.PatchOperation, mediaType string) error {
	if err := defCheckOp(op, apigw.OpAdd, apigw.OpRemove, apigw.OpReplace); err != nil {
		return err
	}
	types := slices.DeleteFunc(api.BinaryMediaTypes, func(t string) bool {
		return op.Op != apigw.OpAdd && t == mediaType
	})
	add := ""
	switch op.Op {
	case apigw.OpAdd:
		add = mediaType
	case apigw.OpReplace:
		add = op.Value
	}
	if add != "" && !slices.Contains(types, add) {
		types = append(types, add)
	}
	if len(types) == 0 {
		types = nil
	}
	api.BinaryMediaTypes = types
	return nil
}

// patchEndpointConfiguration handles /endpointConfiguration/types/{type or
// index} (replace: the AWS CLI names the old type, Terraform its index),
// /endpointConfiguration/vpcEndpointIds/{id} (add, remove) and
// /endpointConfiguration/ipAddressType (replace).
func patchEndpointConfiguration(api *apigw.RestAPI, op apigw.PatchOperation, rest string) error {
	if api.EndpointConfiguration == nil {
		api.EndpointConfiguration = &apigw.EndpointConfiguration{}
	}
	ec := api.EndpointConfiguration
	sub, key, _ := strings.Cut(rest, "/")
	switch {
	case sub == "types" && key != "":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		i := slices.Index(ec.Types, key)
		if n, err := strconv.Atoi(key); err == nil && n >= 0 && n < len(ec.Types) {
			i = n
		}
		if i < 0 {
			return defInvalidPath(op.Path)
		}
		ec.Types[i] = op.Value
	case sub == "vpcEndpointIds" && key != "":
		if err := defCheckOp(op, apigw.OpAdd, apigw.OpRemove); err != nil {
			return err
		}
		ec.VPCEndpointIDs = slices.DeleteFunc(ec.VPCEndpointIDs, func(id string) bool { return id == key })
		if op.Op == apigw.OpAdd {
			ec.VPCEndpointIDs = append(ec.VPCEndpointIDs, key)
		}
	case sub == "ipAddressType" && key == "":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		ec.IPAddressType = op.Value
	default:
		return defInvalidPath(op.Path)
	}
	return nil
}

// DeleteRestAPI removes an API; the store removes its deployments and
// stages with it.
func (s *Service) DeleteRestAPI(ctx context.Context, id string) error {
	return s.update(ctx, func(tx store.Tx) error {
		if err := checkAPIUnmapped(tx, id); err != nil {
			return err
		}
		err := tx.DeleteRestAPI(id)
		if errors.Is(err, store.ErrNotFound) {
			return apigw.ErrAPINotFound(apigw.AccountID, id)
		}
		if err != nil {
			return err
		}
		return dropStageFromPlans(tx, id, "")
	})
}

// RestAPIChange is a whole-resource update of a REST API, as Cloud
// Control's UpdateResource makes it: an optional OpenAPI import, then
// patch operations computed against the imported API, then the complete
// tag set. ChangeRestAPI applies all of it in one transaction, so a
// request that fails at any step changes nothing.
type RestAPIChange struct {
	// Body, when set, is imported first with Params (PutRestApi rules).
	Body   []byte
	Params ImportParams
	// Patch returns UpdateRestApi operations for the API as it is after
	// the import; nil means none.
	Patch func(api *apigw.RestAPI) []apigw.PatchOperation
	// Tags, when non-nil, replaces the API's tags.
	Tags map[string]string
}

// ChangeRestAPI applies ch to the API id; see RestAPIChange.
func (s *Service) ChangeRestAPI(ctx context.Context, id string, ch RestAPIChange) (*apigw.RestAPI, error) {
	mode := ch.Params.Mode
	if mode == "" {
		mode = "merge"
	}
	if len(ch.Body) > 0 && !slices.Contains(putModes, mode) {
		return nil, defEnumError(mode, "putRestApiInput.mode", putModes...)
	}
	var out *apigw.RestAPI
	var warnings []string
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, id)
		if err != nil {
			return err
		}
		if len(ch.Body) > 0 {
			doc, err := parseOpenAPI(ch.Body)
			if err != nil {
				return err
			}
			if warnings, err = applyOpenAPI(api, doc, ch.Params, mode == "overwrite"); err != nil {
				return err
			}
			if err := validateRestAPI(api, "putRestApiInput"); err != nil {
				return err
			}
		}
		if ch.Patch != nil {
			for _, op := range ch.Patch(api) {
				if err := patchRestAPI(api, op); err != nil {
					return err
				}
			}
			if err := validateRestAPI(api, "updateRestApiInput"); err != nil {
				return err
			}
		}
		if ch.Tags != nil {
			if err := checkTags(ch.Tags); err != nil {
				return err
			}
			api.Tags = nonEmpty(ch.Tags)
		}
		out = api
		return tx.PutRestAPI(api)
	})
	if err != nil {
		return nil, err
	}
	out.Warnings = warnings
	return out, nil
}

package backplane

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// CreateAuthorizerInput is CreateAuthorizer's body.
type CreateAuthorizerInput struct {
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerARNs,omitempty"`
	AuthType                     string   `json:"authType,omitempty"`
	AuthorizerURI                string   `json:"authorizerUri,omitempty"`
	AuthorizerCredentials        string   `json:"authorizerCredentials,omitempty"`
	IdentitySource               string   `json:"identitySource,omitempty"`
	IdentityValidationExpression string   `json:"identityValidationExpression,omitempty"`
	AuthorizerResultTTLInSeconds *int     `json:"authorizerResultTtlInSeconds,omitempty"`
}

var authorizerTypes = []string{apigw.AuthorizerToken, apigw.AuthorizerRequest, apigw.AuthorizerCognito}

var (
	// tokenSourceRe is the one identity source of a TOKEN authorizer
	// (AWS's own pattern, quoted in its error message).
	tokenSourceRe = regexp.MustCompile(`^method\.request\.header\.[a-zA-Z0-9._-]+$`)
	// requestSourceRe is one identity source of a REQUEST authorizer.
	requestSourceRe = regexp.MustCompile(`^(method\.request\.(header|querystring)\.[a-zA-Z0-9._-]+|stageVariables\.[a-zA-Z0-9_]+|context\.[a-zA-Z0-9._]+)$`)
	// userPoolARNRe is a Cognito user pool ARN.
	userPoolARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:[0-9]{12}:userpool/[\w-]+_[0-9a-zA-Z]+$`)
)

// Authorizer messages. msgTokenSource is AWS's (recorded in
// aws/aws-cdk#6330 and serverless/serverless#4428); the others are
// unverified and follow AWS's "Invalid ... specified" style.
const (
	msgTokenSource         = "Invalid token source expression: %s. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'."
	msgRequestSource       = "Invalid identity source expression: %s"
	msgRequestSourceNeeded = "Identity source must be specified when caching is enabled"
	msgAuthorizerURI       = "Invalid Authorizer URI specified: %s"
	msgProviderARNs        = "Invalid Cognito User Pool ARN specified: %s"
	msgProviderARNsNeeded  = "Cognito User Pool ARNs must be specified for a COGNITO_USER_POOLS authorizer"
	msgAuthorizerTTL       = "Invalid authorizer result TTL specified: %d. Must be between 0 and 3600"
	msgValidationRegex     = "Invalid identity validation expression specified: %s"
	msgAuthorizerName      = "Authorizer name must be specified"
	msgAuthorizerNotFound  = "Invalid Authorizer identifier specified"
	msgAuthorizerInUse     = "Cannot delete authorizer '%s', is referenced in method: %s %s"
)

// validateAuthorizer checks an authorizer after a create or a patch.
func validateAuthorizer(a *apigw.Authorizer) error {
	if strings.TrimSpace(a.Name) == "" {
		return apigw.BadRequest(msgAuthorizerName)
	}
	if !slices.Contains(authorizerTypes, a.Type) {
		return defEnumError(a.Type, "createAuthorizerInput.type", authorizerTypes...)
	}
	if ttl := a.AuthorizerResultTTLInSeconds; ttl != nil && (*ttl < 0 || *ttl > 3600) {
		return apigw.BadRequest(msgAuthorizerTTL, *ttl)
	}
	if a.IdentityValidationExpression != "" {
		if _, err := regexp.Compile(a.IdentityValidationExpression); err != nil {
			return apigw.BadRequest(msgValidationRegex, a.IdentityValidationExpression)
		}
	}
	switch a.Type {
	case apigw.AuthorizerToken, apigw.AuthorizerCognito:
		if !tokenSourceRe.MatchString(a.IdentitySource) {
			return apigw.BadRequest(msgTokenSource, a.IdentitySource)
		}
	case apigw.AuthorizerRequest:
		if strings.TrimSpace(a.IdentitySource) == "" {
			if a.TTL() > 0 {
				return apigw.BadRequest(msgRequestSourceNeeded)
			}
			break
		}
		for _, src := range strings.Split(a.IdentitySource, ",") {
			if !requestSourceRe.MatchString(strings.TrimSpace(src)) {
				return apigw.BadRequest(msgRequestSource, strings.TrimSpace(src))
			}
		}
	}
	if a.Type == apigw.AuthorizerCognito {
		if len(a.ProviderARNs) == 0 {
			return apigw.BadRequest(msgProviderARNsNeeded)
		}
		for _, arn := range a.ProviderARNs {
			if !userPoolARNRe.MatchString(arn) {
				return apigw.BadRequest(msgProviderARNs, arn)
			}
		}
		return nil
	}
	if !strings.Contains(a.AuthorizerURI, ":lambda:path/") || !strings.Contains(a.AuthorizerURI, "/functions/") ||
		!strings.HasSuffix(a.AuthorizerURI, "/invocations") {
		return apigw.BadRequest(msgAuthorizerURI, a.AuthorizerURI)
	}
	return nil
}

// loadAuthorizer returns one of the API's authorizers or AWS's 404.
func loadAuthorizer(api *apigw.RestAPI, id string) (*apigw.Authorizer, error) {
	a := api.Authorizers[id]
	if a == nil {
		return nil, apigw.NotFound(msgAuthorizerNotFound)
	}
	return a, nil
}

// CreateAuthorizer adds an authorizer to the API.
func (s *Service) CreateAuthorizer(ctx context.Context, apiID string, in CreateAuthorizerInput) (*apigw.Authorizer, error) {
	a := &apigw.Authorizer{
		Name:                         in.Name,
		Type:                         in.Type,
		ProviderARNs:                 in.ProviderARNs,
		AuthType:                     in.AuthType,
		AuthorizerURI:                in.AuthorizerURI,
		AuthorizerCredentials:        in.AuthorizerCredentials,
		IdentitySource:               in.IdentitySource,
		IdentityValidationExpression: in.IdentityValidationExpression,
		AuthorizerResultTTLInSeconds: in.AuthorizerResultTTLInSeconds,
	}
	if a.AuthorizerResultTTLInSeconds == nil && a.Type != apigw.AuthorizerCognito {
		// AWS reports the default it applies.
		ttl := apigw.DefaultAuthorizerTTL
		a.AuthorizerResultTTLInSeconds = &ttl
	}
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		if err := validateAuthorizer(a); err != nil {
			return err
		}
		a.ID = freshAuthorizerID(api)
		if api.Authorizers == nil {
			api.Authorizers = map[string]*apigw.Authorizer{}
		}
		api.Authorizers[a.ID] = a
		return tx.PutRestAPI(api)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func freshAuthorizerID(api *apigw.RestAPI) string {
	for {
		id := strings.ToLower(apigw.NewID())[:6]
		if api.Authorizers[id] == nil {
			return id
		}
	}
}

// GetAuthorizer returns one authorizer.
func (s *Service) GetAuthorizer(ctx context.Context, apiID, id string) (*apigw.Authorizer, error) {
	var out *apigw.Authorizer
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		out, err = loadAuthorizer(api, id)
		return err
	})
	return out, err
}

// GetAuthorizers returns the API's authorizers ordered by name, then id.
func (s *Service) GetAuthorizers(ctx context.Context, apiID string) ([]*apigw.Authorizer, error) {
	var out []*apigw.Authorizer
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		out = slices.SortedFunc(maps.Values(api.Authorizers), func(a, b *apigw.Authorizer) int {
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		return nil
	})
	return out, err
}

// UpdateAuthorizer applies patch operations, all or nothing.
func (s *Service) UpdateAuthorizer(ctx context.Context, apiID, id string, ops []apigw.PatchOperation) (*apigw.Authorizer, error) {
	var out *apigw.Authorizer
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		cur, err := loadAuthorizer(api, id)
		if err != nil {
			return err
		}
		a := cloneAuthorizer(cur)
		for _, op := range ops {
			if err := patchAuthorizer(a, op); err != nil {
				return err
			}
		}
		if err := validateAuthorizer(a); err != nil {
			return err
		}
		// A method's authorizer must keep its kind (CUSTOM methods name
		// Lambda authorizers, COGNITO_USER_POOLS ones Cognito ones).
		if a.Type != cur.Type {
			for _, r := range sortedResources(api) {
				for _, verb := range slices.Sorted(maps.Keys(r.ResourceMethods)) {
					m := r.ResourceMethods[verb]
					if m.AuthorizerID == id && !authorizerFits(m.AuthorizationType, a) {
						return apigw.BadRequest(msgAuthorizerRequired)
					}
				}
			}
		}
		api.Authorizers[id] = a
		out = a
		return tx.PutRestAPI(api)
	})
	return out, err
}

// patchAuthorizer applies one UpdateAuthorizer operation: replace of a
// scalar field, add/remove of a provider ARN.
func patchAuthorizer(a *apigw.Authorizer, op apigw.PatchOperation) error {
	field, key := defSplit(op.Path)
	if field == "providerARNs" {
		if err := defCheckOp(op, apigw.OpAdd, apigw.OpRemove, apigw.OpReplace); err != nil {
			return err
		}
		arn := key
		if arn == "" {
			arn = op.Value
		}
		if op.Op == apigw.OpReplace && key == "" {
			a.ProviderARNs = []string{op.Value}
			return nil
		}
		a.ProviderARNs = slices.DeleteFunc(a.ProviderARNs, func(s string) bool { return s == arn })
		if op.Op != apigw.OpRemove {
			a.ProviderARNs = append(a.ProviderARNs, arn)
		}
		if len(a.ProviderARNs) == 0 {
			a.ProviderARNs = nil
		}
		return nil
	}
	if key != "" {
		return defInvalidPath(op.Path)
	}
	if err := defCheckOp(op, apigw.OpReplace); err != nil {
		return err
	}
	switch field {
	case "name":
		a.Name = op.Value
	case "type":
		a.Type = op.Value
	case "authType":
		a.AuthType = op.Value
	case "authorizerUri":
		a.AuthorizerURI = op.Value
	case "authorizerCredentials":
		a.AuthorizerCredentials = op.Value
	case "identitySource":
		a.IdentitySource = op.Value
	case "identityValidationExpression":
		a.IdentityValidationExpression = op.Value
	case "authorizerResultTtlInSeconds":
		n, err := strconv.Atoi(op.Value)
		if err != nil {
			return apigw.BadRequest("Invalid authorizer result TTL specified: %s", op.Value)
		}
		a.AuthorizerResultTTLInSeconds = &n
	default:
		return defInvalidPath(op.Path)
	}
	return nil
}

// DeleteAuthorizer removes an authorizer no method uses.
func (s *Service) DeleteAuthorizer(ctx context.Context, apiID, id string) error {
	return s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		a, err := loadAuthorizer(api, id)
		if err != nil {
			return err
		}
		for _, r := range sortedResources(api) {
			for _, verb := range slices.Sorted(maps.Keys(r.ResourceMethods)) {
				if r.ResourceMethods[verb].AuthorizerID == id {
					return apigw.Conflict(msgAuthorizerInUse, a.Name, verb, r.Path)
				}
			}
		}
		delete(api.Authorizers, id)
		if len(api.Authorizers) == 0 {
			api.Authorizers = nil
		}
		return tx.PutRestAPI(api)
	})
}

// authorizerFits reports whether a method of authorizationType may name a.
func authorizerFits(authorizationType string, a *apigw.Authorizer) bool {
	switch authorizationType {
	case "CUSTOM":
		return a.Type == apigw.AuthorizerToken || a.Type == apigw.AuthorizerRequest
	case "COGNITO_USER_POOLS":
		return a.Type == apigw.AuthorizerCognito
	}
	return false
}

// checkMethodAuthorizer checks a method's authorizer against the API's
// authorizers: CUSTOM and COGNITO_USER_POOLS need one of the right kind.
func checkMethodAuthorizer(auths map[string]*apigw.Authorizer, m *apigw.Method) error {
	if m.AuthorizationType != "CUSTOM" && m.AuthorizationType != "COGNITO_USER_POOLS" {
		return nil
	}
	a := auths[m.AuthorizerID]
	if a == nil || !authorizerFits(m.AuthorizationType, a) {
		return apigw.BadRequest(msgAuthorizerRequired)
	}
	return nil
}

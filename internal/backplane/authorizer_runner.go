package backplane

import (
	"context"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// AuthorizerRunner is the data plane's part of the authorizer operations:
// it runs an authorizer for TestInvokeAuthorizer and empties a stage's
// cached authorizer results.
type AuthorizerRunner interface {
	TestInvokeAuthorizer(ctx context.Context, restAPIID string, a *apigw.Authorizer, in apigw.TestInvokeAuthorizerInput) (*apigw.TestInvokeAuthorizerResult, error)
	FlushStageAuthorizersCache(restAPIID, stageName string)
}

// TestInvokeAuthorizerInput is TestInvokeAuthorizer's body.
type TestInvokeAuthorizerInput = apigw.TestInvokeAuthorizerInput

// TestInvokeAuthorizer runs the API's current (not deployed) authorizer
// against the request described by in.
func (s *Service) TestInvokeAuthorizer(ctx context.Context, apiID, id string, in TestInvokeAuthorizerInput) (*apigw.TestInvokeAuthorizerResult, error) {
	var a *apigw.Authorizer
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		a, err = loadAuthorizer(api, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.Authorizers == nil {
		return nil, apigw.BadRequest("Authorizers cannot be invoked: no data plane is running")
	}
	return s.Authorizers.TestInvokeAuthorizer(ctx, apiID, a, in)
}

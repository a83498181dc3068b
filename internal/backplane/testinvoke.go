package backplane

import (
	"context"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// TestInvoker runs a request through a method of an API definition that
// is not deployed. The data plane implements it.
type TestInvoker interface {
	TestInvoke(ctx context.Context, apiID string, snap *apigw.Snapshot, resourceID, verb string, in apigw.TestInvokeRequest) (*apigw.TestInvokeResult, error)
}

// TestInvokeMethod runs in through the method as it is configured now
// (not as deployed): the API is frozen into a throwaway snapshot, the way
// CreateDeployment would freeze it, and handed to the data plane.
func (s *Service) TestInvokeMethod(ctx context.Context, apiID, resourceID, verb string, in apigw.TestInvokeRequest) (*apigw.TestInvokeResult, error) {
	var snap *apigw.Snapshot
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		if _, _, err := loadMethod(api, resourceID, verb); err != nil {
			return err
		}
		snap = newSnapshot(api)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.TestInvoker == nil {
		return nil, &apigw.Error{Kind: 0, Message: "test invocation is not available: no data plane"}
	}
	return s.TestInvoker.TestInvoke(ctx, apiID, snap, resourceID, verb, in)
}

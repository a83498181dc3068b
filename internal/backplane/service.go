// Package backplane holds API Gateway's management operations (AWS calls
// the service "BackplaneControlService"): create a REST API, deploy it,
// create and update stages, and so on. Each operation validates its input
// with the apigw domain rules and applies it in one store transaction.
//
// Both front ends call this package — the restJson1 control API
// (internal/controlapi) and Cloud Control (internal/cloudcontrol) — so a
// stage made either way is identical and errors carry the same text.
package backplane

import (
	"context"
	"errors"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// StageCacheFlusher empties a stage's response cache. The data plane
// implements it; FlushStageCache calls it after checking the stage exists.
type StageCacheFlusher interface {
	FlushStageCache(restAPIID, stageName string)
}

// Service implements the management operations on top of a Store.
type Service struct {
	Store store.Store
	// Region appears in ARNs (tags) and defaults to us-east-1.
	Region string
	// Flusher, when set, is told about FlushStageCache calls.
	Flusher StageCacheFlusher
	// Authorizers, when set, runs TestInvokeAuthorizer and
	// FlushStageAuthorizersCache on the data plane.
	Authorizers AuthorizerRunner
	// TestInvoker, when set, runs TestInvokeMethod calls (testinvoke.go).
	TestInvoker TestInvoker
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Meter, when set, is the data plane's usage counter (usage.go).
	Meter UsageMeter
}

// New returns a Service over st.
func New(st store.Store, region string) *Service {
	if region == "" {
		region = "us-east-1"
	}
	return &Service{Store: st, Region: region, Now: time.Now}
}

func (s *Service) now() apigw.Time {
	return apigw.Time{Time: s.Now().UTC().Truncate(time.Second)}
}

// loadAPI returns the API or AWS's NotFoundException for an unknown id.
func loadAPI(tx store.Tx, id string) (*apigw.RestAPI, error) {
	api, err := tx.RestAPI(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apigw.ErrAPINotFound(apigw.AccountID, id)
	}
	return api, err
}

func (s *Service) view(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, fn)
}

func (s *Service) update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, fn)
}

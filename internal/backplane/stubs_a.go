package backplane

// TODO(helper A): implement in restapi.go, resource.go, method.go,
// integration.go, deployment.go, openapi.go and delete this file.

import (
	"context"
	"errors"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

var errNotImplemented = errors.New("not implemented")

func (s *Service) ImportRestAPI(ctx context.Context, body []byte, p ImportParams) (*apigw.RestAPI, error) {
	return nil, errNotImplemented
}
func (s *Service) PutRestAPI(ctx context.Context, id string, body []byte, p ImportParams) (*apigw.RestAPI, error) {
	return nil, errNotImplemented
}

// ExportRestAPI renders the API (as deployed to stage) as OpenAPI 3.
func (s *Service) ExportRestAPI(ctx context.Context, id, stage string) ([]byte, error) {
	return nil, errNotImplemented
}




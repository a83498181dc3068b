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

// ExportParams says how GetExport renders the API.
type ExportParams struct {
	// Type is "oas30" or "swagger".
	Type string
	// YAML selects YAML instead of JSON.
	YAML bool
	// Extensions is the "extensions" query parameter ("integrations",
	// "apigateway", "postman" or empty).
	Extensions string
}

// ExportRestAPI renders the API (as deployed to stage) as OpenAPI.
func (s *Service) ExportRestAPI(ctx context.Context, id, stage string, p ExportParams) ([]byte, error) {
	return nil, errNotImplemented
}

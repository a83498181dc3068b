package backplane

// TODO(helper B): implement in stage.go, deployment.go, tags.go, account.go and delete
// this file.

import (
	"context"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func (s *Service) CreateStage(ctx context.Context, apiID string, in CreateStageInput) (*apigw.Stage, error) {
	return nil, errNotImplemented
}

// GetStages lists an API's stages, only those on deploymentID if non-empty.
func (s *Service) GetStages(ctx context.Context, apiID, deploymentID string) ([]*apigw.Stage, error) {
	return nil, errNotImplemented
}
func (s *Service) GetStage(ctx context.Context, apiID, name string) (*apigw.Stage, error) {
	return nil, errNotImplemented
}
func (s *Service) UpdateStage(ctx context.Context, apiID, name string, ops []apigw.PatchOperation) (*apigw.Stage, error) {
	return nil, errNotImplemented
}
func (s *Service) DeleteStage(ctx context.Context, apiID, name string) error {
	return errNotImplemented
}
func (s *Service) FlushStageCache(ctx context.Context, apiID, name string) error {
	return errNotImplemented
}
func (s *Service) FlushStageAuthorizersCache(ctx context.Context, apiID, name string) error {
	return errNotImplemented
}

// TagResource merges tags into the resource named by arn (a stage or a
// REST API).
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	return errNotImplemented
}
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	return errNotImplemented
}
func (s *Service) GetTags(ctx context.Context, arn string) (map[string]string, error) {
	return nil, errNotImplemented
}

func (s *Service) GetAccount(ctx context.Context) (*apigw.Account, error) {
	return nil, errNotImplemented
}
func (s *Service) UpdateAccount(ctx context.Context, ops []apigw.PatchOperation) (*apigw.Account, error) {
	return nil, errNotImplemented
}

// CreateDeployment snapshots the API; with StageName it creates or
// repoints that stage (or, with CanarySettings, makes the new deployment
// the stage's canary) in the same transaction.
func (s *Service) CreateDeployment(ctx context.Context, apiID string, in CreateDeploymentInput) (*apigw.Deployment, error) {
	return nil, errNotImplemented
}
func (s *Service) GetDeployments(ctx context.Context, apiID string) ([]*apigw.Deployment, error) {
	return nil, errNotImplemented
}
func (s *Service) GetDeployment(ctx context.Context, apiID, id string) (*apigw.Deployment, error) {
	return nil, errNotImplemented
}
func (s *Service) UpdateDeployment(ctx context.Context, apiID, id string, ops []apigw.PatchOperation) (*apigw.Deployment, error) {
	return nil, errNotImplemented
}
func (s *Service) DeleteDeployment(ctx context.Context, apiID, id string) error {
	return errNotImplemented
}

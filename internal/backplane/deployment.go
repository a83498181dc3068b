package backplane

import (
	"context"
	"errors"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// Deployment messages recorded from AWS (control-plane.md §3.6).
const (
	msgNoMethods         = "The REST API doesn't contain any methods"
	msgCanaryNoStageName = "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is %s"
	msgDeploymentInUse   = "Active stages pointing to this deployment must be moved or deleted"
)

// msgCanaryNoStage is AWS's text for a canary deployment on a stage that
// does not exist. The recorded example was made with a stage called
// "non-existing"; we read that word as the stage name.
const msgCanaryNoStage = "Invalid deployment content specified.Stage %s must already be created before making a canary release deployment"

// CreateDeployment snapshots the API; with StageName it creates or
// repoints that stage (or, with CanarySettings, makes the new deployment
// the stage's canary) in the same transaction.
func (s *Service) CreateDeployment(ctx context.Context, apiID string, in CreateDeploymentInput) (*apigw.Deployment, error) {
	var out *apigw.Deployment
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		if in.CanarySettings != nil && in.StageName == "" {
			// AWS prints the value given: "" for an empty stageName, "null"
			// for none (LocalStack's AWS-validated canary snapshots).
			given := "null"
			if in.StageNameGiven {
				given = ""
			}
			return apigw.BadRequest(msgCanaryNoStageName, given)
		}
		if !api.HasMethods() {
			return apigw.BadRequest(msgNoMethods)
		}
		var st *apigw.Stage
		if in.StageName != "" {
			if st, err = deploymentStage(tx, apiID, in); err != nil {
				return err
			}
		}

		now := s.now()
		d := &apigw.Deployment{
			ID:          newDeploymentID(tx, apiID),
			Description: in.Description,
			CreatedDate: now,
			Snapshot:    newSnapshot(api),
		}
		if err := tx.PutDeployment(apiID, d); err != nil {
			return err
		}
		if st != nil {
			if st.CreatedDate.IsZero() {
				st.CreatedDate = now
			}
			applyDeploymentToStage(st, d.ID, in)
			st.LastUpdatedDate = now
			if len(in.StagePatch) > 0 {
				env, err := s.stagePatchEnv(tx, apiID, st.DeploymentID)
				if err != nil {
					return err
				}
				if err := apigw.ApplyStagePatch(st, in.StagePatch, env); err != nil {
					return err
				}
				st.StageName = in.StageName
			}
			normalizeStage(st)
			if err := tx.PutStage(apiID, st); err != nil {
				return err
			}
		}
		out = d
		return nil
	})
	return out, err
}

// deploymentStage validates CreateDeployment's stage members and returns
// a copy of the stage to update, or a new stage to create.
func deploymentStage(tx store.Tx, apiID string, in CreateDeploymentInput) (*apigw.Stage, error) {
	if err := apigw.ValidateStageName(in.StageName); err != nil {
		return nil, err
	}
	if err := apigw.ValidateVariables(in.Variables); err != nil {
		return nil, err
	}
	if in.CacheClusterSize != "" {
		if err := apigw.ValidateCacheClusterSize(in.CacheClusterSize); err != nil {
			return nil, err
		}
	}
	cur, err := tx.Stage(apiID, in.StageName)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if in.CanarySettings != nil {
		if cur == nil {
			return nil, apigw.BadRequest(msgCanaryNoStage, in.StageName)
		}
		c := &apigw.CanarySettings{PercentTraffic: in.CanarySettings.PercentTraffic, StageVariableOverrides: in.CanarySettings.StageVariableOverrides}
		if err := apigw.ValidateCanarySettings(c); err != nil {
			return nil, err
		}
	}
	if cur != nil {
		return cloneStage(cur), nil
	}
	if err := checkNewStage(tx, apiID, in.StageName); err != nil {
		return nil, err
	}
	st := &apigw.Stage{StageName: in.StageName, MethodSettings: map[string]apigw.MethodSetting{}}
	setStageCache(st, false)
	return st, nil
}

// applyDeploymentToStage points st at deployment id, or, for a canary
// deployment, makes id the stage's canary while the stage keeps serving
// its deployment. Stage members of the request apply in both cases
// (R: LocalStack); variables replace the stage's map.
func applyDeploymentToStage(st *apigw.Stage, id string, in CreateDeploymentInput) {
	if c := in.CanarySettings; c != nil {
		st.CanarySettings = &apigw.CanarySettings{
			DeploymentID:           id,
			PercentTraffic:         c.PercentTraffic,
			StageVariableOverrides: nonEmpty(c.StageVariableOverrides),
			UseStageCache:          c.UseStageCache,
		}
	} else {
		// A plain deployment to a stage ends any canary on it (R: LocalStack).
		st.DeploymentID = id
		st.CanarySettings = nil
	}
	if in.StageDescription != "" {
		st.Description = in.StageDescription
	}
	if in.Variables != nil {
		st.Variables = nonEmpty(in.Variables)
	}
	if in.CacheClusterSize != "" {
		st.CacheClusterSize = in.CacheClusterSize
	}
	if in.CacheClusterEnabled != nil {
		setStageCache(st, *in.CacheClusterEnabled)
	}
	if in.TracingEnabled != nil {
		st.TracingEnabled = *in.TracingEnabled
	}
}

// newDeploymentID draws ids until one is free in the API.
func newDeploymentID(tx store.Tx, apiID string) string {
	for {
		id := apigw.NewID()
		if !deploymentExists(tx, apiID, id) {
			return id
		}
	}
}

// loadDeployment returns the deployment or AWS's NotFoundException.
func loadDeployment(tx store.Tx, apiID, id string) (*apigw.Deployment, error) {
	d, err := tx.Deployment(apiID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apigw.NotFound(apigw.MsgInvalidDeployment)
	}
	return d, err
}

// GetDeployments lists an API's deployments, oldest first, with their
// snapshots (the wire form omits them).
func (s *Service) GetDeployments(ctx context.Context, apiID string) ([]*apigw.Deployment, error) {
	var out []*apigw.Deployment
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(tx, apiID); err != nil {
			return err
		}
		ds, err := tx.Deployments(apiID)
		out = ds
		return err
	})
	return out, err
}

// GetDeployment returns one deployment with its snapshot; callers wanting
// apiSummary compute it from the snapshot.
func (s *Service) GetDeployment(ctx context.Context, apiID, id string) (*apigw.Deployment, error) {
	var out *apigw.Deployment
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(tx, apiID); err != nil {
			return err
		}
		d, err := loadDeployment(tx, apiID, id)
		out = d
		return err
	})
	return out, err
}

// UpdateDeployment patches a deployment's description, its only mutable
// member; the snapshot never changes.
func (s *Service) UpdateDeployment(ctx context.Context, apiID, id string, ops []apigw.PatchOperation) (*apigw.Deployment, error) {
	var out *apigw.Deployment
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(tx, apiID); err != nil {
			return err
		}
		d, err := loadDeployment(tx, apiID, id)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			out = d
			return nil
		}
		for _, op := range ops {
			if op.Path != "/description" {
				return defInvalidPath(op.Path)
			}
			if err := defCheckOp(op, apigw.OpAdd, apigw.OpRemove, apigw.OpReplace); err != nil {
				return err
			}
			if op.Op == apigw.OpRemove {
				op.Value = ""
			}
			d.Description = op.Value
		}
		if err := tx.PutDeployment(apiID, d); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// DeleteDeployment removes a deployment no stage serves. A stage's canary
// counts as use too (U): deleting it would leave the canary pointing at
// nothing.
func (s *Service) DeleteDeployment(ctx context.Context, apiID, id string) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(tx, apiID); err != nil {
			return err
		}
		if _, err := loadDeployment(tx, apiID, id); err != nil {
			return err
		}
		stages, err := tx.Stages(apiID)
		if err != nil {
			return err
		}
		for _, st := range stages {
			if st.DeploymentID == id || (st.CanarySettings != nil && st.CanarySettings.DeploymentID == id) {
				return apigw.BadRequest(msgDeploymentInUse)
			}
		}
		return tx.DeleteDeployment(apiID, id)
	})
}

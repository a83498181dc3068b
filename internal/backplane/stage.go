package backplane

import (
	"context"
	"errors"
	"maps"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// MaxStagesPerAPI is AWS's default quota of stages per REST API.
const MaxStagesPerAPI = 10

// Messages for stage situations AWS's recorded behaviour does not pin
// down (control-plane.md §4.3 marks them U); chosen to read like AWS's.
const (
	msgStageExists          = "Stage already exists"
	msgStageLimit           = "The maximum number of stages (10) for this REST API has been reached"
	msgDeploymentIDRequired = "Deployment id must be specified"
)

// CreateStage creates a stage on an existing deployment.
func (s *Service) CreateStage(ctx context.Context, apiID string, in CreateStageInput) (*apigw.Stage, error) {
	var out *apigw.Stage
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(tx, apiID); err != nil {
			return err
		}
		if err := apigw.ValidateStageName(in.StageName); err != nil {
			return err
		}
		depID, err := createStageDeployment(tx, apiID, in)
		if err != nil {
			return err
		}
		if err := apigw.ValidateVariables(in.Variables); err != nil {
			return err
		}
		if in.CacheClusterSize != "" {
			if err := apigw.ValidateCacheClusterSize(in.CacheClusterSize); err != nil {
				return err
			}
		}
		var canary *apigw.CanarySettings
		if in.CanarySettings != nil {
			c := *in.CanarySettings
			c.StageVariableOverrides = nonEmpty(c.StageVariableOverrides)
			// The canary defaults to the stage's own deployment (R: LocalStack).
			if c.DeploymentID == "" {
				c.DeploymentID = depID
			} else if !deploymentExists(tx, apiID, c.DeploymentID) {
				return apigw.BadRequest(apigw.MsgDeploymentMissing)
			}
			if err := apigw.ValidateCanarySettings(&c); err != nil {
				return err
			}
			canary = &c
		}
		if err := checkTags(in.Tags); err != nil {
			return err
		}
		if err := checkNewStage(tx, apiID, in.StageName); err != nil {
			return err
		}

		now := s.now()
		st := &apigw.Stage{
			DeploymentID:         depID,
			StageName:            in.StageName,
			Description:          in.Description,
			CacheClusterSize:     in.CacheClusterSize,
			MethodSettings:       map[string]apigw.MethodSetting{},
			Variables:            nonEmpty(in.Variables),
			DocumentationVersion: in.DocumentationVersion,
			CanarySettings:       canary,
			TracingEnabled:       in.TracingEnabled,
			Tags:                 nonEmpty(in.Tags),
			CreatedDate:          now,
			LastUpdatedDate:      now,
		}
		setStageCache(st, in.CacheClusterEnabled)
		if len(in.Patch) > 0 {
			env, err := s.stagePatchEnv(tx, apiID, st.DeploymentID)
			if err != nil {
				return err
			}
			if err := apigw.ApplyStagePatch(st, in.Patch, env); err != nil {
				return err
			}
			st.StageName = in.StageName
		}
		normalizeStage(st)
		if err := tx.PutStage(apiID, st); err != nil {
			return err
		}
		out = st
		return nil
	})
	return out, err
}

// createStageDeployment resolves the deployment a new stage attaches to.
func createStageDeployment(tx store.Tx, apiID string, in CreateStageInput) (string, error) {
	if in.DeploymentID != "" {
		if !deploymentExists(tx, apiID, in.DeploymentID) {
			return "", apigw.BadRequest(apigw.MsgDeploymentMissing)
		}
		return in.DeploymentID, nil
	}
	if !in.AttachLatestDeployment {
		// The SDKs and the CLI check this required member before sending,
		// so only hand-made requests see this text (U).
		return "", apigw.BadRequest(msgDeploymentIDRequired)
	}
	ds, err := tx.Deployments(apiID)
	if err != nil || len(ds) == 0 {
		return "", err
	}
	return ds[len(ds)-1].ID, nil
}

// checkNewStage refuses a duplicate name and the eleventh stage of an API.
func checkNewStage(tx store.Tx, apiID, name string) error {
	if _, err := tx.Stage(apiID, name); err == nil {
		return apigw.Conflict(msgStageExists)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	stages, err := tx.Stages(apiID)
	if err != nil {
		return err
	}
	if len(stages) >= MaxStagesPerAPI {
		return apigw.LimitExceeded(msgStageLimit)
	}
	return nil
}

// setStageCache records the cache cluster flag. Stagecoach's cache lives in
// process, so provisioning is immediate: the status goes straight to
// AVAILABLE (never CREATE_IN_PROGRESS), and an enabled cache without a
// size gets the smallest one, "0.5" (U).
func setStageCache(st *apigw.Stage, enabled bool) {
	st.CacheClusterEnabled = enabled
	if !enabled {
		st.CacheClusterStatus = apigw.CacheStatusNotAvailable
		return
	}
	st.CacheClusterStatus = apigw.CacheStatusAvailable
	if st.CacheClusterSize == "" {
		st.CacheClusterSize = apigw.CacheClusterSizes[0]
	}
}

// normalizeStage restores wire invariants: methodSettings is always an
// object, never null; empty maps are omitted.
func normalizeStage(st *apigw.Stage) {
	if st.MethodSettings == nil {
		st.MethodSettings = map[string]apigw.MethodSetting{}
	}
	st.Variables = nonEmpty(st.Variables)
	st.Tags = nonEmpty(st.Tags)
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

func deploymentExists(tx store.Tx, apiID, id string) bool {
	_, err := tx.Deployment(apiID, id)
	return err == nil
}

// loadStage returns the stage or AWS's NotFoundException.
func loadStage(tx store.Tx, apiID, name string) (*apigw.Stage, error) {
	st, err := tx.Stage(apiID, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apigw.NotFound(apigw.MsgInvalidStage)
	}
	if err != nil {
		return nil, err
	}
	normalizeStage(st)
	return st, nil
}

// stagePatchEnv gathers what the patch engine looks up outside the stage:
// the resources of the deployment the stage serves (to check method
// setting paths), which deployments exist, and the account settings.
func (s *Service) stagePatchEnv(tx store.Tx, apiID, deploymentID string) (apigw.StagePatchEnv, error) {
	acct, err := tx.Account()
	if err != nil {
		return apigw.StagePatchEnv{}, err
	}
	env := apigw.StagePatchEnv{
		DeploymentExists:  func(id string) bool { return deploymentExists(tx, apiID, id) },
		CloudwatchRoleArn: acct.CloudwatchRoleArn,
		AccountThrottle:   acct.ThrottleSettings,
	}
	if deploymentID != "" {
		d, err := tx.Deployment(apiID, deploymentID)
		switch {
		case err == nil && d.Snapshot != nil:
			env.Resources = d.Snapshot.Resources
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return apigw.StagePatchEnv{}, err
		}
	}
	return env, nil
}

// GetStages lists an API's stages, only those on deploymentID if non-empty.
func (s *Service) GetStages(ctx context.Context, apiID, deploymentID string) ([]*apigw.Stage, error) {
	var out []*apigw.Stage
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(tx, apiID); err != nil {
			return err
		}
		stages, err := tx.Stages(apiID)
		if err != nil {
			return err
		}
		out = make([]*apigw.Stage, 0, len(stages))
		for _, st := range stages {
			if deploymentID != "" && st.DeploymentID != deploymentID {
				continue
			}
			normalizeStage(st)
			out = append(out, st)
		}
		return nil
	})
	return out, err
}

// GetStage returns one stage.
func (s *Service) GetStage(ctx context.Context, apiID, name string) (*apigw.Stage, error) {
	var out *apigw.Stage
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(tx, apiID); err != nil {
			return err
		}
		st, err := loadStage(tx, apiID, name)
		out = st
		return err
	})
	return out, err
}

// UpdateStage applies patch operations to a stage, all or nothing: the
// operations run against a copy inside one store transaction, so a
// failing operation leaves the stored stage untouched and concurrent
// updates never lose each other's changes.
func (s *Service) UpdateStage(ctx context.Context, apiID, name string, ops []apigw.PatchOperation) (*apigw.Stage, error) {
	return s.updateStage(ctx, apiID, name, ops, nil)
}

// UpdateStageAndTags applies ops and replaces the stage's whole tag set
// with tags in one transaction, so a request whose tags are invalid
// changes nothing. Cloud Control's UpdateResource uses it: its desired
// state carries the complete tag list.
func (s *Service) UpdateStageAndTags(ctx context.Context, apiID, name string, ops []apigw.PatchOperation, tags map[string]string) (*apigw.Stage, error) {
	if tags == nil {
		tags = map[string]string{}
	}
	return s.updateStage(ctx, apiID, name, ops, tags)
}

// updateStage is UpdateStage; a non-nil tags also replaces the tag set.
func (s *Service) updateStage(ctx context.Context, apiID, name string, ops []apigw.PatchOperation, tags map[string]string) (*apigw.Stage, error) {
	var out *apigw.Stage
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(tx, apiID); err != nil {
			return err
		}
		cur, err := loadStage(tx, apiID, name)
		if err != nil {
			return err
		}
		if len(ops) == 0 && (tags == nil || maps.Equal(tags, cur.Tags)) {
			out = cur
			return nil
		}
		next := cloneStage(cur)
		if len(ops) > 0 {
			env, err := s.stagePatchEnv(tx, apiID, cur.DeploymentID)
			if err != nil {
				return err
			}
			if err := apigw.ApplyStagePatch(next, ops, env); err != nil {
				return err
			}
		}
		if tags != nil {
			if err := checkTags(tags); err != nil {
				return err
			}
			next.Tags = maps.Clone(tags)
		}
		// Identity and history are not patchable.
		next.StageName, next.CreatedDate = cur.StageName, cur.CreatedDate
		next.LastUpdatedDate = s.now()
		normalizeStage(next)
		if err := tx.PutStage(apiID, next); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// DeleteStage removes a stage; its deployment stays.
func (s *Service) DeleteStage(ctx context.Context, apiID, name string) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(tx, apiID); err != nil {
			return err
		}
		if err := checkStageUnmapped(tx, apiID, name); err != nil {
			return err
		}
		err := tx.DeleteStage(apiID, name)
		if errors.Is(err, store.ErrNotFound) {
			return apigw.NotFound(apigw.MsgInvalidStage)
		}
		if err != nil {
			return err
		}
		return dropStageFromPlans(tx, apiID, name)
	})
}

// FlushStageCache empties the stage's response cache. A stage without a
// cache cluster answers 202 and nothing happens (U: AWS may refuse it).
func (s *Service) FlushStageCache(ctx context.Context, apiID, name string) error {
	if err := s.checkStage(ctx, apiID, name); err != nil {
		return err
	}
	if s.Flusher != nil {
		s.Flusher.FlushStageCache(apiID, name)
	}
	return nil
}

// FlushStageAuthorizersCache empties the stage's cached authorizer
// results on the data plane.
func (s *Service) FlushStageAuthorizersCache(ctx context.Context, apiID, name string) error {
	if err := s.checkStage(ctx, apiID, name); err != nil {
		return err
	}
	if s.Authorizers != nil {
		s.Authorizers.FlushStageAuthorizersCache(apiID, name)
	}
	return nil
}

func (s *Service) checkStage(ctx context.Context, apiID, name string) error {
	_, err := s.GetStage(ctx, apiID, name)
	return err
}

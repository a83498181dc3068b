package backplane

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// CreateUsagePlanInput is the body of CreateUsagePlan.
type CreateUsagePlanInput struct {
	Name        string                  `json:"name"`
	Description string                  `json:"description,omitempty"`
	APIStages   []apigw.APIStage        `json:"apiStages,omitempty"`
	Throttle    *apigw.ThrottleSettings `json:"throttle,omitempty"`
	Quota       *apigw.QuotaSettings    `json:"quota,omitempty"`
	ProductCode string                  `json:"productCode,omitempty"`
	Tags        map[string]string       `json:"tags,omitempty"`
}

// CreateUsagePlan creates a plan bound to existing API stages.
func (s *Service) CreateUsagePlan(ctx context.Context, in CreateUsagePlanInput) (*apigw.UsagePlan, error) {
	var out *apigw.UsagePlan
	err := s.update(ctx, func(tx store.Tx) error {
		p := &apigw.UsagePlan{
			ID: apigw.NewID(), Name: in.Name, Description: in.Description, APIStages: []apigw.APIStage{},
			Throttle: in.Throttle, Quota: in.Quota, ProductCode: in.ProductCode, Tags: nonEmpty(in.Tags),
		}
		for _, st := range in.APIStages {
			if !stageExists(tx, st.APIID, st.Stage) {
				return apigw.ErrInvalidPlanStage(st.APIID, st.Stage, p.ID)
			}
			if p.StageIndex(st.APIID, st.Stage) < 0 {
				p.APIStages = append(p.APIStages, st)
			}
		}
		if err := apigw.ValidateUsagePlan(p); err != nil {
			return err
		}
		if err := checkTags(in.Tags); err != nil {
			return err
		}
		if p.Quota != nil {
			p.QuotaAnchor = s.now()
		}
		if err := tx.PutUsagePlan(p); err != nil {
			return err
		}
		out = p
		return nil
	})
	return out, err
}

func stageExists(tx store.Tx, apiID, stage string) bool {
	_, err := tx.Stage(apiID, stage)
	return err == nil
}

// loadUsagePlan returns the plan or AWS's NotFoundException.
func loadUsagePlan(tx store.Tx, id string) (*apigw.UsagePlan, error) {
	p, err := tx.UsagePlan(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apigw.NotFound(apigw.MsgInvalidUsagePlan)
	}
	return p, err
}

// GetUsagePlan returns one plan.
func (s *Service) GetUsagePlan(ctx context.Context, id string) (*apigw.UsagePlan, error) {
	var out *apigw.UsagePlan
	err := s.view(ctx, func(tx store.Tx) error {
		p, err := loadUsagePlan(tx, id)
		out = p
		return err
	})
	return out, err
}

// GetUsagePlans lists plans in creation order; a non-empty keyID keeps
// the plans that key belongs to (an unknown key gets AWS's key
// NotFoundException, U).
func (s *Service) GetUsagePlans(ctx context.Context, keyID string) ([]*apigw.UsagePlan, error) {
	var out []*apigw.UsagePlan
	err := s.view(ctx, func(tx store.Tx) error {
		plans, err := tx.UsagePlans()
		if err != nil {
			return err
		}
		var keep []string
		if keyID != "" {
			if _, err := loadAPIKey(tx, keyID); err != nil {
				return err
			}
			if keep, err = tx.KeyUsagePlans(keyID); err != nil {
				return err
			}
		}
		out = make([]*apigw.UsagePlan, 0, len(plans))
		for _, p := range plans {
			if keyID == "" || slices.Contains(keep, p.ID) {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

// UsagePlansOfStage returns the plans bound to one API stage (the
// console's stage page).
func (s *Service) UsagePlansOfStage(ctx context.Context, apiID, stage string) ([]*apigw.UsagePlan, error) {
	plans, err := s.GetUsagePlans(ctx, "")
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(plans, func(p *apigw.UsagePlan) bool { return p.StageIndex(apiID, stage) < 0 }), nil
}

// UpdateUsagePlan applies patch operations to a plan, all or nothing.
// A quota change re-anchors the quota's initial period (the one its
// offset applies to) at the time of the change.
func (s *Service) UpdateUsagePlan(ctx context.Context, id string, ops []apigw.PatchOperation) (*apigw.UsagePlan, error) {
	return s.updateUsagePlan(ctx, id, ops, nil)
}

// UpdateUsagePlanAndTags applies ops and replaces the plan's tag set in
// one transaction (Cloud Control's UpdateResource).
func (s *Service) UpdateUsagePlanAndTags(ctx context.Context, id string, ops []apigw.PatchOperation, tags map[string]string) (*apigw.UsagePlan, error) {
	if tags == nil {
		tags = map[string]string{}
	}
	return s.updateUsagePlan(ctx, id, ops, tags)
}

func (s *Service) updateUsagePlan(ctx context.Context, id string, ops []apigw.PatchOperation, tags map[string]string) (*apigw.UsagePlan, error) {
	var out *apigw.UsagePlan
	err := s.update(ctx, func(tx store.Tx) error {
		p, err := loadUsagePlan(tx, id)
		if err != nil {
			return err
		}
		next := apigw.CloneUsagePlan(p)
		quotaChanged, err := apigw.ApplyUsagePlanPatch(next, ops, apigw.UsagePlanPatchEnv{
			StageExists: func(apiID, stage string) bool { return stageExists(tx, apiID, stage) },
		})
		if err != nil {
			return err
		}
		next.ID = p.ID
		// Stages added by this update must not give one of the plan's keys
		// two plans on a stage.
		var added []apigw.APIStage
		for _, st := range next.APIStages {
			if p.StageIndex(st.APIID, st.Stage) < 0 {
				added = append(added, st)
			}
		}
		if len(added) > 0 {
			keys, err := tx.UsagePlanKeys(p.ID)
			if err != nil {
				return err
			}
			for _, k := range keys {
				if err := checkSharedStage(tx, next, k, added); err != nil {
					return err
				}
			}
		}
		if tags != nil {
			if err := checkTags(tags); err != nil {
				return err
			}
			next.Tags = nonEmpty(tags)
		}
		if quotaChanged {
			next.QuotaAnchor = apigw.Time{}
			if next.Quota != nil {
				next.QuotaAnchor = s.now()
			}
		}
		if err := tx.PutUsagePlan(next); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// DeleteUsagePlan deletes a plan that no longer has API stages, as AWS
// requires; its key associations and usage records go with it.
func (s *Service) DeleteUsagePlan(ctx context.Context, id string) error {
	return s.update(ctx, func(tx store.Tx) error {
		p, err := loadUsagePlan(tx, id)
		if err != nil {
			return err
		}
		if len(p.APIStages) > 0 {
			return apigw.ErrPlanHasStages(p)
		}
		return tx.DeleteUsagePlan(id)
	})
}

// DeleteUsagePlanAndStages deletes a plan together with its stage
// bindings, in one transaction: what deleting a CloudFormation
// AWS::ApiGateway::UsagePlan does (DeleteUsagePlan alone refuses a plan
// with stages, as AWS's API does).
func (s *Service) DeleteUsagePlanAndStages(ctx context.Context, id string) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := loadUsagePlan(tx, id); err != nil {
			return err
		}
		return tx.DeleteUsagePlan(id)
	})
}

// checkSharedStage refuses keyID in plan p when another plan of the key is
// bound to one of stages: a request on that stage must find exactly one
// plan (AWS refuses it too; the message is U).
func checkSharedStage(tx store.Tx, p *apigw.UsagePlan, keyID string, stages []apigw.APIStage) error {
	others, err := tx.KeyUsagePlans(keyID)
	if err != nil {
		return err
	}
	for _, oid := range others {
		if oid == p.ID {
			continue
		}
		o, err := tx.UsagePlan(oid)
		if err != nil {
			return err
		}
		for _, st := range stages {
			if o.StageIndex(st.APIID, st.Stage) >= 0 {
				return apigw.BadRequest(apigw.MsgSharedStage, p.ID, keyID, st.Ref())
			}
		}
	}
	return nil
}

// addKeyToPlan associates a key with a plan after the checks
// CreateUsagePlanKey and ImportApiKeys share.
func addKeyToPlan(tx store.Tx, planID, keyID string) error {
	p, err := loadUsagePlan(tx, planID)
	if err != nil {
		return err
	}
	if _, err := loadAPIKey(tx, keyID); err != nil {
		return err
	}
	keys, err := tx.UsagePlanKeys(planID)
	if err != nil {
		return err
	}
	if slices.Contains(keys, keyID) {
		return apigw.Conflict(msgKeyInPlan, keyID, planID)
	}
	if err := checkSharedStage(tx, p, keyID, p.APIStages); err != nil {
		return err
	}
	return tx.PutUsagePlanKey(planID, keyID)
}

// msgKeyInPlan answers adding a key twice to a plan (U).
const msgKeyInPlan = "API Key %s is already associated with usage plan %s"

// msgInvalidPlanKey is the 404 for a key that is not in the plan (U; moto
// and other emulators use this text).
const msgInvalidPlanKey = "Invalid Usage Plan Key identifier specified"

// CreateUsagePlanKey adds a key to a plan.
func (s *Service) CreateUsagePlanKey(ctx context.Context, planID, keyID, keyType string) (*apigw.UsagePlanKey, error) {
	if err := apigw.ValidateKeyType(keyType); err != nil {
		return nil, err
	}
	var out *apigw.UsagePlanKey
	err := s.update(ctx, func(tx store.Tx) error {
		if err := addKeyToPlan(tx, planID, keyID); err != nil {
			return err
		}
		k, err := tx.APIKey(keyID)
		if err != nil {
			return err
		}
		out = planKeyOf(k)
		return nil
	})
	return out, err
}

func planKeyOf(k *apigw.APIKey) *apigw.UsagePlanKey {
	return &apigw.UsagePlanKey{ID: k.ID, Type: apigw.KeyTypeAPIKey, Value: k.Value, Name: k.Name}
}

// GetUsagePlanKey returns one key of a plan.
func (s *Service) GetUsagePlanKey(ctx context.Context, planID, keyID string) (*apigw.UsagePlanKey, error) {
	var out *apigw.UsagePlanKey
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadUsagePlan(tx, planID); err != nil {
			return err
		}
		keys, err := tx.UsagePlanKeys(planID)
		if err != nil {
			return err
		}
		if !slices.Contains(keys, keyID) {
			return apigw.NotFound(msgInvalidPlanKey)
		}
		k, err := loadAPIKey(tx, keyID)
		if err != nil {
			return err
		}
		out = planKeyOf(k)
		return nil
	})
	return out, err
}

// GetUsagePlanKeys lists a plan's keys; nameQuery filters by name prefix.
func (s *Service) GetUsagePlanKeys(ctx context.Context, planID, nameQuery string) ([]*apigw.UsagePlanKey, error) {
	var out []*apigw.UsagePlanKey
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadUsagePlan(tx, planID); err != nil {
			return err
		}
		ids, err := tx.UsagePlanKeys(planID)
		if err != nil {
			return err
		}
		out = make([]*apigw.UsagePlanKey, 0, len(ids))
		for _, id := range ids {
			k, err := tx.APIKey(id)
			if err != nil {
				return err
			}
			if nameQuery != "" && !strings.HasPrefix(k.Name, nameQuery) {
				continue
			}
			out = append(out, planKeyOf(k))
		}
		return nil
	})
	return out, err
}

// DeleteUsagePlanKey removes a key from a plan.
func (s *Service) DeleteUsagePlanKey(ctx context.Context, planID, keyID string) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := loadUsagePlan(tx, planID); err != nil {
			return err
		}
		err := tx.DeleteUsagePlanKey(planID, keyID)
		if errors.Is(err, store.ErrNotFound) {
			return apigw.NotFound(msgInvalidPlanKey)
		}
		return err
	})
}

// dropStageFromPlans unbinds a deleted stage (every stage of the API when
// stage is "") from the plans that had it: AWS drops the association when
// a stage goes (terraform-provider-aws#14100), so a stage created again
// under the same name must be added to the plan again.
func dropStageFromPlans(tx store.Tx, apiID, stage string) error {
	plans, err := tx.UsagePlans()
	if err != nil {
		return err
	}
	for _, p := range plans {
		n := len(p.APIStages)
		p.APIStages = slices.DeleteFunc(p.APIStages, func(s apigw.APIStage) bool {
			return s.APIID == apiID && (stage == "" || s.Stage == stage)
		})
		if len(p.APIStages) != n {
			if err := tx.PutUsagePlan(p); err != nil {
				return err
			}
		}
	}
	return nil
}

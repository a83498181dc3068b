package backplane

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// CreateAPIKeyInput is the body of CreateApiKey.
type CreateAPIKeyInput struct {
	Name               string            `json:"name,omitempty"`
	Description        string            `json:"description,omitempty"`
	Enabled            bool              `json:"enabled,omitempty"`
	GenerateDistinctID bool              `json:"generateDistinctId,omitempty"`
	Value              string            `json:"value,omitempty"`
	StageKeys          []StageKey        `json:"stageKeys,omitempty"`
	CustomerID         string            `json:"customerId,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
}

// StageKey is CreateApiKey's deprecated direct binding of a key to a stage.
type StageKey struct {
	RestAPIID string `json:"restApiId"`
	StageName string `json:"stageName"`
}

// msgStageKeys refuses stageKeys: the account has the UsagePlans feature
// (get-account's features), with which AWS no longer binds keys to stages
// directly (serverless#2539 quotes AWS support); keys reach stages through
// usage plans. The text is ours (U).
const msgStageKeys = "API keys cannot be bound to stages directly when usage plans are enabled: add the key to a usage plan of the stage"

// CreateAPIKey creates a key with the given value, or a generated one. A
// key is disabled unless enabled is true (AWS's default, spec §1).
func (s *Service) CreateAPIKey(ctx context.Context, in CreateAPIKeyInput) (*apigw.APIKey, error) {
	if len(in.StageKeys) > 0 {
		return nil, apigw.BadRequest(msgStageKeys)
	}
	var out *apigw.APIKey
	err := s.update(ctx, func(tx store.Tx) error {
		k, err := s.newAPIKey(tx, in)
		if err != nil {
			return err
		}
		if err := tx.PutAPIKey(k); err != nil {
			return err
		}
		out = k
		return nil
	})
	return out, err
}

// newAPIKey validates in and builds the key, checking its value is unused.
func (s *Service) newAPIKey(tx store.Tx, in CreateAPIKeyInput) (*apigw.APIKey, error) {
	value := in.Value
	if value == "" {
		value = apigw.NewAPIKeyValue()
	} else if err := apigw.ValidateAPIKeyValue(value); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if _, err := tx.APIKeyByValue(value); err == nil {
		return nil, apigw.Conflict(apigw.MsgAPIKeyExists)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	now := s.now()
	return &apigw.APIKey{
		ID: apigw.NewID(), Value: value, Name: in.Name, Description: in.Description,
		Enabled: in.Enabled, CustomerID: in.CustomerID, CreatedDate: now, LastUpdatedDate: now,
		StageKeys: []string{}, Tags: nonEmpty(in.Tags),
	}, nil
}

// loadAPIKey returns the key or AWS's NotFoundException.
func loadAPIKey(tx store.Tx, id string) (*apigw.APIKey, error) {
	k, err := tx.APIKey(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apigw.NotFound(apigw.MsgInvalidAPIKey)
	}
	if k != nil && k.StageKeys == nil {
		k.StageKeys = []string{}
	}
	return k, err
}

// GetAPIKey returns one key.
func (s *Service) GetAPIKey(ctx context.Context, id string) (*apigw.APIKey, error) {
	var out *apigw.APIKey
	err := s.view(ctx, func(tx store.Tx) error {
		k, err := loadAPIKey(tx, id)
		out = k
		return err
	})
	return out, err
}

// APIKeyFilter narrows GetApiKeys: NameQuery matches names by prefix (U:
// AWS does not say whether it is a prefix or an exact match; a prefix
// includes the exact one), CustomerID exactly.
type APIKeyFilter struct {
	NameQuery  string
	CustomerID string
}

// GetAPIKeys lists keys in creation order.
func (s *Service) GetAPIKeys(ctx context.Context, f APIKeyFilter) ([]*apigw.APIKey, error) {
	var out []*apigw.APIKey
	err := s.view(ctx, func(tx store.Tx) error {
		keys, err := tx.APIKeys()
		if err != nil {
			return err
		}
		out = make([]*apigw.APIKey, 0, len(keys))
		for _, k := range keys {
			if f.NameQuery != "" && !strings.HasPrefix(k.Name, f.NameQuery) {
				continue
			}
			if f.CustomerID != "" && k.CustomerID != f.CustomerID {
				continue
			}
			if k.StageKeys == nil {
				k.StageKeys = []string{}
			}
			out = append(out, k)
		}
		return nil
	})
	return out, err
}

// UpdateAPIKey applies patch operations to a key, all or nothing.
func (s *Service) UpdateAPIKey(ctx context.Context, id string, ops []apigw.PatchOperation) (*apigw.APIKey, error) {
	return s.updateAPIKey(ctx, id, ops, nil)
}

// UpdateAPIKeyAndTags applies ops and replaces the key's tag set in one
// transaction (Cloud Control's UpdateResource carries the whole set).
func (s *Service) UpdateAPIKeyAndTags(ctx context.Context, id string, ops []apigw.PatchOperation, tags map[string]string) (*apigw.APIKey, error) {
	if tags == nil {
		tags = map[string]string{}
	}
	return s.updateAPIKey(ctx, id, ops, tags)
}

func (s *Service) updateAPIKey(ctx context.Context, id string, ops []apigw.PatchOperation, tags map[string]string) (*apigw.APIKey, error) {
	var out *apigw.APIKey
	err := s.update(ctx, func(tx store.Tx) error {
		k, err := loadAPIKey(tx, id)
		if err != nil {
			return err
		}
		next := *k
		next.Tags = maps.Clone(k.Tags)
		if err := apigw.ApplyAPIKeyPatch(&next, ops); err != nil {
			return err
		}
		if tags != nil {
			if err := checkTags(tags); err != nil {
				return err
			}
			next.Tags = nonEmpty(tags)
		}
		next.ID, next.Value, next.CreatedDate = k.ID, k.Value, k.CreatedDate
		next.LastUpdatedDate = s.now()
		if err := tx.PutAPIKey(&next); err != nil {
			return err
		}
		out = &next
		return nil
	})
	return out, err
}

// DeleteAPIKey removes a key and its usage plan memberships.
func (s *Service) DeleteAPIKey(ctx context.Context, id string) error {
	return s.update(ctx, func(tx store.Tx) error {
		err := tx.DeleteAPIKey(id)
		if errors.Is(err, store.ErrNotFound) {
			return apigw.NotFound(apigw.MsgInvalidAPIKey)
		}
		return err
	})
}

package store

import "github.com/stagecoach/stagecoach/internal/apigw"

// UsageTx is the part of a transaction that keeps API keys, usage plans,
// their associations and the per-day usage counters. Keys and plans are
// account-wide (not under a REST API); writing one of them, or an
// association, makes the commit's Change carry UsagePlans. Usage records
// are counters, not configuration: writing them publishes nothing.
type UsageTx interface {
	APIKey(id string) (*apigw.APIKey, error)
	// APIKeyByValue finds the key with this value (values are unique).
	APIKeyByValue(value string) (*apigw.APIKey, error)
	// APIKeys returns every key ordered by creation date, then insertion.
	APIKeys() ([]*apigw.APIKey, error)
	PutAPIKey(k *apigw.APIKey) error
	// DeleteAPIKey removes a key with its plan associations.
	DeleteAPIKey(id string) error

	// UsagePlan returns a plan with its QuotaAnchor.
	UsagePlan(id string) (*apigw.UsagePlan, error)
	// UsagePlans returns every plan in insertion order.
	UsagePlans() ([]*apigw.UsagePlan, error)
	PutUsagePlan(p *apigw.UsagePlan) error
	// DeleteUsagePlan removes a plan with its key associations and usage
	// records.
	DeleteUsagePlan(id string) error

	// UsagePlanKeys returns the ids of a plan's keys in insertion order.
	UsagePlanKeys(planID string) ([]string, error)
	// KeyUsagePlans returns the ids of the plans a key belongs to.
	KeyUsagePlans(keyID string) ([]string, error)
	PutUsagePlanKey(planID, keyID string) error
	// DeleteUsagePlanKey returns ErrNotFound if the key is not in the plan.
	DeleteUsagePlanKey(planID, keyID string) error

	// UsageRecords returns a plan's records with from <= Day <= to
	// (YYYY-MM-DD), ordered by key id then day; keyID "" means every key.
	UsageRecords(planID, keyID, from, to string) ([]UsageRecord, error)
	// PutUsageRecords creates or replaces records.
	PutUsageRecords(recs []UsageRecord) error
}

// UsageRecord is one key's usage under one plan on one UTC day: the
// requests counted that day and the quota remaining at the end of it (or
// now, for today).
type UsageRecord struct {
	PlanID    string
	KeyID     string
	Day       string // YYYY-MM-DD, UTC
	Used      int64
	Remaining int64
}

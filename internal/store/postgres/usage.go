package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

func decodeKey(doc string) (*apigw.APIKey, error) {
	var k apigw.APIKey
	if err := decode(doc, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

func (t *txn) APIKey(id string) (*apigw.APIKey, error) {
	var doc string
	if err := t.tx.QueryRow(t.ctx, `SELECT doc FROM api_keys WHERE id = $1`, id).Scan(&doc); err != nil {
		return nil, notFound(err)
	}
	return decodeKey(doc)
}

func (t *txn) APIKeyByValue(value string) (*apigw.APIKey, error) {
	var doc string
	if err := t.tx.QueryRow(t.ctx, `SELECT doc FROM api_keys WHERE value = $1`, value).Scan(&doc); err != nil {
		return nil, notFound(err)
	}
	return decodeKey(doc)
}

func (t *txn) APIKeys() ([]*apigw.APIKey, error) {
	docs, err := t.strings(`SELECT doc FROM api_keys ORDER BY created, seq`)
	if err != nil {
		return nil, err
	}
	out := make([]*apigw.APIKey, 0, len(docs))
	for _, doc := range docs {
		k, err := decodeKey(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func (t *txn) PutAPIKey(k *apigw.APIKey) error {
	if err := t.writable(); err != nil {
		return err
	}
	doc, err := encode(k)
	if err != nil {
		return err
	}
	t.touchUsage()
	return t.exec(`INSERT INTO api_keys (id, value, created, doc) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET value = excluded.value, doc = excluded.doc`,
		k.ID, k.Value, k.CreatedDate.Unix(), doc)
}

func (t *txn) DeleteAPIKey(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.touchUsage()
	return t.execAffected(`DELETE FROM api_keys WHERE id = $1`, id)
}

func decodePlan(doc string, anchor int64) (*apigw.UsagePlan, error) {
	var p apigw.UsagePlan
	if err := decode(doc, &p); err != nil {
		return nil, err
	}
	if p.APIStages == nil {
		p.APIStages = []apigw.APIStage{}
	}
	if anchor != 0 {
		p.QuotaAnchor = apigw.Time{Time: time.Unix(anchor, 0).UTC()}
	}
	return &p, nil
}

func (t *txn) UsagePlan(id string) (*apigw.UsagePlan, error) {
	var doc string
	var anchor int64
	if err := t.tx.QueryRow(t.ctx, `SELECT doc, quota_anchor FROM usage_plans WHERE id = $1`, id).Scan(&doc, &anchor); err != nil {
		return nil, notFound(err)
	}
	return decodePlan(doc, anchor)
}

func (t *txn) UsagePlans() ([]*apigw.UsagePlan, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT doc, quota_anchor FROM usage_plans ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*apigw.UsagePlan
	for rows.Next() {
		var doc string
		var anchor int64
		if err := rows.Scan(&doc, &anchor); err != nil {
			return nil, err
		}
		p, err := decodePlan(doc, anchor)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *txn) PutUsagePlan(p *apigw.UsagePlan) error {
	if err := t.writable(); err != nil {
		return err
	}
	doc, err := encode(p)
	if err != nil {
		return err
	}
	var anchor int64
	if !p.QuotaAnchor.IsZero() {
		anchor = p.QuotaAnchor.Unix()
	}
	t.touchUsage()
	return t.exec(`INSERT INTO usage_plans (id, quota_anchor, doc) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET quota_anchor = excluded.quota_anchor, doc = excluded.doc`, p.ID, anchor, doc)
}

func (t *txn) DeleteUsagePlan(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.touchUsage()
	return t.execAffected(`DELETE FROM usage_plans WHERE id = $1`, id)
}

func (t *txn) UsagePlanKeys(planID string) ([]string, error) {
	return t.strings(`SELECT key_id FROM usage_plan_keys WHERE plan_id = $1 ORDER BY seq`, planID)
}

func (t *txn) KeyUsagePlans(keyID string) ([]string, error) {
	return t.strings(`SELECT plan_id FROM usage_plan_keys WHERE key_id = $1 ORDER BY seq`, keyID)
}

func (t *txn) PutUsagePlanKey(planID, keyID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.touchUsage()
	return t.exec(`INSERT INTO usage_plan_keys (plan_id, key_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, planID, keyID)
}

func (t *txn) DeleteUsagePlanKey(planID, keyID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.touchUsage()
	return t.execAffected(`DELETE FROM usage_plan_keys WHERE plan_id = $1 AND key_id = $2`, planID, keyID)
}

func (t *txn) UsageRecords(planID, keyID, from, to string) ([]store.UsageRecord, error) {
	var rows pgx.Rows
	var err error
	if keyID == "" {
		rows, err = t.tx.Query(t.ctx, `SELECT key_id, day, used, remaining FROM usage_records
			WHERE plan_id = $1 AND day >= $2 AND day <= $3 ORDER BY key_id COLLATE "C", day`, planID, from, to)
	} else {
		rows, err = t.tx.Query(t.ctx, `SELECT key_id, day, used, remaining FROM usage_records
			WHERE plan_id = $1 AND key_id = $2 AND day >= $3 AND day <= $4 ORDER BY day`, planID, keyID, from, to)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.UsageRecord
	for rows.Next() {
		r := store.UsageRecord{PlanID: planID}
		if err := rows.Scan(&r.KeyID, &r.Day, &r.Used, &r.Remaining); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *txn) PutUsageRecords(recs []store.UsageRecord) error {
	if err := t.writable(); err != nil {
		return err
	}
	// Counters of a plan deleted since they were counted are dropped, not
	// an error: the data plane flushes in the background.
	var b pgx.Batch
	for _, r := range recs {
		b.Queue(`INSERT INTO usage_records (plan_id, key_id, day, used, remaining)
			SELECT $1::text, $2::text, $3::text, $4::bigint, $5::bigint WHERE EXISTS (SELECT 1 FROM usage_plans WHERE id = $1::text)
			ON CONFLICT (plan_id, key_id, day) DO UPDATE SET used = excluded.used, remaining = excluded.remaining`,
			r.PlanID, r.KeyID, r.Day, r.Used, r.Remaining)
	}
	if b.Len() == 0 {
		return nil
	}
	return t.tx.SendBatch(t.ctx, &b).Close()
}

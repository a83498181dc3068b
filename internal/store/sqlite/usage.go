package sqlite

import (
	"database/sql"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// usageSchema holds API keys, usage plans, their associations and the
// daily usage counters. Keys and plans are documents like the other
// objects; the value of a key has its own unique column so that lookups
// by value and the "API Key already exists" rule are one index probe.
const usageSchema = `
CREATE TABLE IF NOT EXISTS api_keys (
	id TEXT PRIMARY KEY,
	value TEXT NOT NULL UNIQUE,
	created INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_plans (
	id TEXT PRIMARY KEY,
	quota_anchor INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_plan_keys (
	plan_id TEXT NOT NULL REFERENCES usage_plans(id) ON DELETE CASCADE,
	key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
	PRIMARY KEY (plan_id, key_id)
);
CREATE INDEX IF NOT EXISTS usage_plan_keys_by_key ON usage_plan_keys (key_id);
CREATE TABLE IF NOT EXISTS usage_records (
	plan_id TEXT NOT NULL REFERENCES usage_plans(id) ON DELETE CASCADE,
	key_id TEXT NOT NULL,
	day TEXT NOT NULL,
	used INTEGER NOT NULL,
	remaining INTEGER NOT NULL,
	PRIMARY KEY (plan_id, key_id, day)
);
`

func (t *txn) touchUsage() {
	if !t.readOnly {
		t.usage = true
	}
}

func decodeKey(doc string) (*apigw.APIKey, error) {
	var k apigw.APIKey
	if err := decode(doc, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

func (t *txn) APIKey(id string) (*apigw.APIKey, error) {
	var doc string
	if err := t.tx.QueryRowContext(t.ctx, `SELECT doc FROM api_keys WHERE id = ?`, id).Scan(&doc); err != nil {
		return nil, notFound(err)
	}
	return decodeKey(doc)
}

func (t *txn) APIKeyByValue(value string) (*apigw.APIKey, error) {
	var doc string
	if err := t.tx.QueryRowContext(t.ctx, `SELECT doc FROM api_keys WHERE value = ?`, value).Scan(&doc); err != nil {
		return nil, notFound(err)
	}
	return decodeKey(doc)
}

func (t *txn) APIKeys() ([]*apigw.APIKey, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT doc FROM api_keys ORDER BY created, rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*apigw.APIKey
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		k, err := decodeKey(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *txn) PutAPIKey(k *apigw.APIKey) error {
	if err := t.writable(); err != nil {
		return err
	}
	doc, err := encode(k)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO api_keys (id, value, created, doc) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET value = excluded.value, doc = excluded.doc`,
		k.ID, k.Value, k.CreatedDate.Unix(), doc)
	t.touchUsage()
	return err
}

func (t *txn) DeleteAPIKey(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	r, err := t.tx.ExecContext(t.ctx, `DELETE FROM api_keys WHERE id = ?`, id)
	if err != nil {
		return err
	}
	t.touchUsage()
	return affected(r)
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
	if err := t.tx.QueryRowContext(t.ctx, `SELECT doc, quota_anchor FROM usage_plans WHERE id = ?`, id).Scan(&doc, &anchor); err != nil {
		return nil, notFound(err)
	}
	return decodePlan(doc, anchor)
}

func (t *txn) UsagePlans() ([]*apigw.UsagePlan, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT doc, quota_anchor FROM usage_plans ORDER BY rowid`)
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
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO usage_plans (id, quota_anchor, doc) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET quota_anchor = excluded.quota_anchor, doc = excluded.doc`, p.ID, anchor, doc)
	t.touchUsage()
	return err
}

func (t *txn) DeleteUsagePlan(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	r, err := t.tx.ExecContext(t.ctx, `DELETE FROM usage_plans WHERE id = ?`, id)
	if err != nil {
		return err
	}
	t.touchUsage()
	return affected(r)
}

func (t *txn) ids(query string, arg string) ([]string, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (t *txn) UsagePlanKeys(planID string) ([]string, error) {
	return t.ids(`SELECT key_id FROM usage_plan_keys WHERE plan_id = ? ORDER BY rowid`, planID)
}

func (t *txn) KeyUsagePlans(keyID string) ([]string, error) {
	return t.ids(`SELECT plan_id FROM usage_plan_keys WHERE key_id = ? ORDER BY rowid`, keyID)
}

func (t *txn) PutUsagePlanKey(planID, keyID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO usage_plan_keys (plan_id, key_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, planID, keyID)
	t.touchUsage()
	return err
}

func (t *txn) DeleteUsagePlanKey(planID, keyID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	r, err := t.tx.ExecContext(t.ctx, `DELETE FROM usage_plan_keys WHERE plan_id = ? AND key_id = ?`, planID, keyID)
	if err != nil {
		return err
	}
	t.touchUsage()
	return affected(r)
}

func (t *txn) UsageRecords(planID, keyID, from, to string) ([]store.UsageRecord, error) {
	var rows *sql.Rows
	var err error
	if keyID == "" {
		rows, err = t.tx.QueryContext(t.ctx, `SELECT key_id, day, used, remaining FROM usage_records
			WHERE plan_id = ? AND day >= ? AND day <= ? ORDER BY key_id, day`, planID, from, to)
	} else {
		rows, err = t.tx.QueryContext(t.ctx, `SELECT key_id, day, used, remaining FROM usage_records
			WHERE plan_id = ? AND key_id = ? AND day >= ? AND day <= ? ORDER BY day`, planID, keyID, from, to)
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
	if len(recs) == 0 {
		return nil
	}
	// Counters of a plan deleted since they were counted are dropped, not
	// an error: the data plane flushes in the background.
	stmt, err := t.tx.PrepareContext(t.ctx, `INSERT INTO usage_records (plan_id, key_id, day, used, remaining)
		SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM usage_plans WHERE id = ?1)
		ON CONFLICT (plan_id, key_id, day) DO UPDATE SET used = excluded.used, remaining = excluded.remaining`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range recs {
		if _, err := stmt.ExecContext(t.ctx, r.PlanID, r.KeyID, r.Day, r.Used, r.Remaining); err != nil {
			return err
		}
	}
	return nil
}

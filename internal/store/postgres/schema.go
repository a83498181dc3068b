package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are applied in order; the schema's version is the number of
// them applied. Append, never edit: a node running an older binary refuses
// a database whose version is beyond len(migrations) (ErrSchemaTooNew).
//
// Objects are JSON documents as in the SQLite store. seq columns keep
// insertion order (SQLite's rowid): an upsert keeps the row's first seq.
var migrations = []string{
	`
CREATE TABLE rest_apis (
	seq BIGSERIAL NOT NULL,
	id TEXT PRIMARY KEY,
	created BIGINT NOT NULL,
	doc TEXT NOT NULL,
	resources TEXT NOT NULL
);
CREATE TABLE rest_api_parts (
	rest_api_id TEXT PRIMARY KEY REFERENCES rest_apis(id) ON DELETE CASCADE,
	doc TEXT NOT NULL
);
CREATE TABLE deployments (
	seq BIGSERIAL NOT NULL,
	rest_api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
	id TEXT NOT NULL,
	created BIGINT NOT NULL,
	doc TEXT NOT NULL,
	snapshot TEXT NOT NULL,
	PRIMARY KEY (rest_api_id, id)
);
CREATE TABLE stages (
	rest_api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	doc TEXT NOT NULL,
	PRIMARY KEY (rest_api_id, name)
);
CREATE TABLE account (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	doc TEXT NOT NULL
);
CREATE TABLE records (
	seq BIGSERIAL PRIMARY KEY,
	kind TEXT NOT NULL,
	key TEXT NOT NULL,
	doc BYTEA NOT NULL,
	UNIQUE (kind, key)
);
CREATE TABLE api_keys (
	seq BIGSERIAL NOT NULL,
	id TEXT PRIMARY KEY,
	value TEXT NOT NULL UNIQUE,
	created BIGINT NOT NULL,
	doc TEXT NOT NULL
);
CREATE TABLE usage_plans (
	seq BIGSERIAL NOT NULL,
	id TEXT PRIMARY KEY,
	quota_anchor BIGINT NOT NULL,
	doc TEXT NOT NULL
);
CREATE TABLE usage_plan_keys (
	seq BIGSERIAL NOT NULL,
	plan_id TEXT NOT NULL REFERENCES usage_plans(id) ON DELETE CASCADE,
	key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
	PRIMARY KEY (plan_id, key_id)
);
CREATE INDEX usage_plan_keys_by_key ON usage_plan_keys (key_id);
CREATE TABLE usage_records (
	plan_id TEXT NOT NULL REFERENCES usage_plans(id) ON DELETE CASCADE,
	key_id TEXT NOT NULL,
	day TEXT NOT NULL,
	used BIGINT NOT NULL,
	remaining BIGINT NOT NULL,
	PRIMARY KEY (plan_id, key_id, day)
);
-- The change counter: one row, bumped by every Update that changes
-- configuration. Nodes compare it with the last change they heard of to
-- recover from a lost notification.
CREATE TABLE change_counter (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO change_counter (id, version) VALUES (1, 0);
`,
}

// Advisory lock keys (arbitrary constants, "stagecoach" in ASCII-ish).
const (
	migrateLockKey = 0x5354_4147_0001 // held while migrating
	writeLockKey   = 0x5354_4147_0002 // held by every Update: one writer at a time
)

// ErrSchemaTooNew is wrapped by Open when the database was migrated by a
// newer Stagecoach than this one.
type ErrSchemaTooNew struct{ Have, Know int }

func (e *ErrSchemaTooNew) Error() string {
	return fmt.Sprintf("postgres: the database schema is version %d but this stagecoach knows only up to version %d: "+
		"a newer stagecoach has migrated it; upgrade this node (refusing to start)", e.Have, e.Know)
}

// migrate brings the schema to len(migrations) in one transaction under a
// transaction-scoped advisory lock, so nodes starting at once queue up and
// each later one finds the work done.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLockKey)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS stagecoach_schema (
			id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`); err != nil {
			return err
		}
		var have int
		err := tx.QueryRow(ctx, `SELECT version FROM stagecoach_schema WHERE id = 1`).Scan(&have)
		if err == pgx.ErrNoRows {
			have = 0
			_, err = tx.Exec(ctx, `INSERT INTO stagecoach_schema (id, version) VALUES (1, 0)`)
		}
		if err != nil {
			return err
		}
		if have > len(migrations) {
			return &ErrSchemaTooNew{Have: have, Know: len(migrations)}
		}
		for v := have; v < len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE stagecoach_schema SET version = $1 WHERE id = 1`, len(migrations))
		return err
	})
}

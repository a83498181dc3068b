// Package sqlite is the embedded Store: one SQLite database file under the
// data directory, opened with modernc.org/sqlite (pure Go, no cgo).
//
// Objects are stored as JSON documents, one row each. SQLite has a single
// writer anyway, so Update takes a process-wide mutex before BEGIN: that
// makes every read-modify-write serialisable without retry loops, and WAL
// mode keeps readers running alongside. A kill -9 at any moment leaves
// either the whole transaction or none of it.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

const schema = `
CREATE TABLE IF NOT EXISTS rest_apis (
	id TEXT PRIMARY KEY,
	created INTEGER NOT NULL,
	doc TEXT NOT NULL,
	resources TEXT NOT NULL
);
-- An API's authorizers and gateway responses, one JSON document per API
-- (apiParts); a table of its own so databases made before them need no
-- migration.
CREATE TABLE IF NOT EXISTS rest_api_parts (
	rest_api_id TEXT PRIMARY KEY REFERENCES rest_apis(id) ON DELETE CASCADE,
	doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deployments (
	rest_api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
	id TEXT NOT NULL,
	created INTEGER NOT NULL,
	doc TEXT NOT NULL,
	snapshot TEXT NOT NULL,
	PRIMARY KEY (rest_api_id, id)
);
CREATE TABLE IF NOT EXISTS stages (
	rest_api_id TEXT NOT NULL REFERENCES rest_apis(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	doc TEXT NOT NULL,
	PRIMARY KEY (rest_api_id, name)
);
CREATE TABLE IF NOT EXISTS account (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL,
	key TEXT NOT NULL,
	doc BLOB NOT NULL,
	UNIQUE (kind, key)
);
`

// Store is the SQLite-backed store.Store.
type Store struct {
	db *sql.DB

	writeMu sync.Mutex // one writer at a time; see the package comment

	subMu sync.Mutex
	subs  map[int]func(store.Change)
	next  int
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database in dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: create data dir: %w", err)
	}
	dsn := "file:" + filepath.Join(dir, "stagecoach.db") +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(8)
	if _, err := db.Exec(schema + usageSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: schema: %w", err)
	}
	return &Store{db: db, subs: map[int]func(store.Change){}}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// View implements store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	return fn(&txn{ctx: ctx, tx: tx, readOnly: true})
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.writeMu.Lock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		s.writeMu.Unlock()
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	t := &txn{ctx: ctx, tx: tx, changed: map[string]bool{}}
	if err := fn(t); err != nil {
		tx.Rollback()
		s.writeMu.Unlock()
		return err
	}
	if err := tx.Commit(); err != nil {
		s.writeMu.Unlock()
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	s.writeMu.Unlock()
	if len(t.changed) > 0 || t.account || t.usage || t.domains {
		ch := store.Change{Account: t.account, UsagePlans: t.usage, Domains: t.domains}
		for id := range t.changed {
			ch.RestAPIIDs = append(ch.RestAPIIDs, id)
		}
		slices.Sort(ch.RestAPIIDs)
		s.publish(ch)
	}
	return nil
}

// Subscribe implements store.Store.
func (s *Store) Subscribe(fn func(store.Change)) func() {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	id := s.next
	s.next++
	s.subs[id] = fn
	return func() {
		s.subMu.Lock()
		delete(s.subs, id)
		s.subMu.Unlock()
	}
}

func (s *Store) publish(ch store.Change) {
	s.subMu.Lock()
	fns := make([]func(store.Change), 0, len(s.subs))
	for _, fn := range s.subs {
		fns = append(fns, fn)
	}
	s.subMu.Unlock()
	for _, fn := range fns {
		fn(ch)
	}
}

type txn struct {
	ctx      context.Context
	tx       *sql.Tx
	readOnly bool
	changed  map[string]bool
	account  bool
	usage    bool // keys, plans or associations written (usage.go)
	domains  bool // a store.KindDomainName record written
}

func (t *txn) touch(restAPIID string) {
	if t.changed != nil {
		t.changed[restAPIID] = true
	}
}

func (t *txn) writable() error {
	if t.readOnly {
		return errors.New("sqlite: write in a read-only transaction")
	}
	return nil
}

func decode(doc string, v any) error {
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return fmt.Errorf("sqlite: decode: %w", err)
	}
	return nil
}

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlite: encode: %w", err)
	}
	return string(b), nil
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

func (t *txn) RestAPI(id string) (*apigw.RestAPI, error) {
	var doc, res string
	var parts sql.NullString
	err := t.tx.QueryRowContext(t.ctx, `SELECT a.doc, a.resources, p.doc FROM rest_apis a
		LEFT JOIN rest_api_parts p ON p.rest_api_id = a.id WHERE a.id = ?`, id).Scan(&doc, &res, &parts)
	if err != nil {
		return nil, notFound(err)
	}
	return decodeAPI(doc, res, parts)
}

// apiParts is the rest_api_parts document: the API's sub-resources kept
// outside its wire document.
type apiParts struct {
	Authorizers       map[string]*apigw.Authorizer       `json:"authorizers,omitempty"`
	GatewayResponses  map[string]*apigw.GatewayResponse  `json:"gatewayResponses,omitempty"`
	Models            map[string]*apigw.Model            `json:"models,omitempty"`
	RequestValidators map[string]*apigw.RequestValidator `json:"requestValidators,omitempty"`
}

func decodeAPI(doc, res string, parts sql.NullString) (*apigw.RestAPI, error) {
	var a apigw.RestAPI
	if err := decode(doc, &a); err != nil {
		return nil, err
	}
	if err := decode(res, &a.Resources); err != nil {
		return nil, err
	}
	if parts.Valid {
		var p apiParts
		if err := decode(parts.String, &p); err != nil {
			return nil, err
		}
		a.Authorizers, a.GatewayResponses = p.Authorizers, p.GatewayResponses
		a.Models, a.RequestValidators = p.Models, p.RequestValidators
	}
	return &a, nil
}

func (t *txn) RestAPIs() ([]*apigw.RestAPI, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT a.doc, a.resources, p.doc FROM rest_apis a
		LEFT JOIN rest_api_parts p ON p.rest_api_id = a.id ORDER BY a.created, a.rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*apigw.RestAPI
	for rows.Next() {
		var doc, res string
		var parts sql.NullString
		if err := rows.Scan(&doc, &res, &parts); err != nil {
			return nil, err
		}
		a, err := decodeAPI(doc, res, parts)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *txn) PutRestAPI(a *apigw.RestAPI) error {
	if err := t.writable(); err != nil {
		return err
	}
	doc, err := encode(a)
	if err != nil {
		return err
	}
	res, err := encode(a.Resources)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO rest_apis (id, created, doc, resources) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, resources = excluded.resources`,
		a.ID, a.CreatedDate.Unix(), doc, res)
	t.touch(a.ID)
	if err != nil {
		return err
	}
	return t.putParts(a)
}

// putParts stores the API's authorizers, gateway responses, models and
// request validators; an API with none has no row.
func (t *txn) putParts(a *apigw.RestAPI) error {
	if len(a.Authorizers) == 0 && len(a.GatewayResponses) == 0 && len(a.Models) == 0 && len(a.RequestValidators) == 0 {
		_, err := t.tx.ExecContext(t.ctx, `DELETE FROM rest_api_parts WHERE rest_api_id = ?`, a.ID)
		return err
	}
	doc, err := encode(apiParts{Authorizers: a.Authorizers, GatewayResponses: a.GatewayResponses,
		Models: a.Models, RequestValidators: a.RequestValidators})
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO rest_api_parts (rest_api_id, doc) VALUES (?, ?)
		ON CONFLICT (rest_api_id) DO UPDATE SET doc = excluded.doc`, a.ID, doc)
	return err
}

func (t *txn) DeleteRestAPI(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	r, err := t.tx.ExecContext(t.ctx, `DELETE FROM rest_apis WHERE id = ?`, id)
	if err != nil {
		return err
	}
	t.touch(id)
	return affected(r)
}

func affected(r sql.Result) error {
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func decodeDeployment(doc, snap string) (*apigw.Deployment, error) {
	var d apigw.Deployment
	if err := decode(doc, &d); err != nil {
		return nil, err
	}
	d.Snapshot = &apigw.Snapshot{}
	if err := decode(snap, d.Snapshot); err != nil {
		return nil, err
	}
	return &d, nil
}

func (t *txn) Deployment(restAPIID, id string) (*apigw.Deployment, error) {
	var doc, snap string
	err := t.tx.QueryRowContext(t.ctx, `SELECT doc, snapshot FROM deployments WHERE rest_api_id = ? AND id = ?`, restAPIID, id).Scan(&doc, &snap)
	if err != nil {
		return nil, notFound(err)
	}
	return decodeDeployment(doc, snap)
}

func (t *txn) Deployments(restAPIID string) ([]*apigw.Deployment, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT doc, snapshot FROM deployments WHERE rest_api_id = ? ORDER BY created, rowid`, restAPIID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*apigw.Deployment
	for rows.Next() {
		var doc, snap string
		if err := rows.Scan(&doc, &snap); err != nil {
			return nil, err
		}
		d, err := decodeDeployment(doc, snap)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *txn) PutDeployment(restAPIID string, d *apigw.Deployment) error {
	if err := t.writable(); err != nil {
		return err
	}
	doc, err := encode(d)
	if err != nil {
		return err
	}
	snap := &apigw.Snapshot{}
	if d.Snapshot != nil {
		snap = d.Snapshot
	}
	sdoc, err := encode(snap)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO deployments (rest_api_id, id, created, doc, snapshot) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (rest_api_id, id) DO UPDATE SET doc = excluded.doc, snapshot = excluded.snapshot`,
		restAPIID, d.ID, d.CreatedDate.Unix(), doc, sdoc)
	t.touch(restAPIID)
	return err
}

func (t *txn) DeleteDeployment(restAPIID, id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	r, err := t.tx.ExecContext(t.ctx, `DELETE FROM deployments WHERE rest_api_id = ? AND id = ?`, restAPIID, id)
	if err != nil {
		return err
	}
	t.touch(restAPIID)
	return affected(r)
}

func (t *txn) Stage(restAPIID, name string) (*apigw.Stage, error) {
	var doc string
	err := t.tx.QueryRowContext(t.ctx, `SELECT doc FROM stages WHERE rest_api_id = ? AND name = ?`, restAPIID, name).Scan(&doc)
	if err != nil {
		return nil, notFound(err)
	}
	var s apigw.Stage
	if err := decode(doc, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

func (t *txn) Stages(restAPIID string) ([]*apigw.Stage, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT doc FROM stages WHERE rest_api_id = ? ORDER BY name`, restAPIID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*apigw.Stage
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var s apigw.Stage
		if err := decode(doc, &s); err != nil {
			return nil, err
		}
		out = append(out, &s)
	}
	return out, rows.Err()
}

func (t *txn) PutStage(restAPIID string, s *apigw.Stage) error {
	if err := t.writable(); err != nil {
		return err
	}
	doc, err := encode(s)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO stages (rest_api_id, name, doc) VALUES (?, ?, ?)
		ON CONFLICT (rest_api_id, name) DO UPDATE SET doc = excluded.doc`, restAPIID, s.StageName, doc)
	t.touch(restAPIID)
	return err
}

func (t *txn) DeleteStage(restAPIID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	r, err := t.tx.ExecContext(t.ctx, `DELETE FROM stages WHERE rest_api_id = ? AND name = ?`, restAPIID, name)
	if err != nil {
		return err
	}
	t.touch(restAPIID)
	return affected(r)
}

func (t *txn) Account() (*apigw.Account, error) {
	var doc string
	err := t.tx.QueryRowContext(t.ctx, `SELECT doc FROM account WHERE id = 1`).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return apigw.DefaultAccount(), nil
	}
	if err != nil {
		return nil, err
	}
	var a apigw.Account
	if err := decode(doc, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func (t *txn) PutAccount(a *apigw.Account) error {
	if err := t.writable(); err != nil {
		return err
	}
	doc, err := encode(a)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO account (id, doc) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`, doc)
	t.account = true
	return err
}

func (t *txn) Record(kind, key string) ([]byte, error) {
	var doc []byte
	err := t.tx.QueryRowContext(t.ctx, `SELECT doc FROM records WHERE kind = ? AND key = ?`, kind, key).Scan(&doc)
	if err != nil {
		return nil, notFound(err)
	}
	return doc, nil
}

func (t *txn) Records(kind string) ([][]byte, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT doc FROM records WHERE kind = ? ORDER BY seq`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, rows.Err()
}

func (t *txn) PutRecord(kind, key string, doc []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.domains = t.domains || kind == store.KindDomainName
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO records (kind, key, doc) VALUES (?, ?, ?)
		ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc`, kind, key, doc)
	return err
}

func (t *txn) DeleteRecord(kind, key string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.domains = t.domains || kind == store.KindDomainName
	r, err := t.tx.ExecContext(t.ctx, `DELETE FROM records WHERE kind = ? AND key = ?`, kind, key)
	if err != nil {
		return err
	}
	return affected(r)
}

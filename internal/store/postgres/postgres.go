// Package postgres is the cluster-mode Store: several Stagecoach nodes share
// one PostgreSQL database through github.com/jackc/pgx/v5 (pgxpool).
//
// Objects are JSON documents, one row each, as in the SQLite store. Every
// Update takes one transaction-scoped advisory lock before it reads
// anything: writers across all nodes run one at a time, so a
// read-modify-write never loses a concurrent change, and fn is never run
// twice (serializable isolation would need retries, and backplane
// functions are not written to be retried). Control-plane writes are rare
// and short, so one writer at a time costs nothing measurable; View runs
// in a REPEATABLE READ snapshot alongside them.
//
// Change propagation (notify.go): an Update that changes configuration
// bumps a counter row and sends NOTIFY with the change; every node LISTENs
// on a dedicated connection and calls its Subscribe callbacks. A node that
// misses notifications (connection lost, payload dropped) sees the counter
// ahead of what it heard and resynchronises everything.
package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// Options tune a Store; the zero value is the production setting.
type Options struct {
	// PollInterval is how often the change counter is compared with the
	// notifications heard; zero means one second. A lost notification is
	// recovered within two intervals.
	PollInterval time.Duration
	// Logger receives connection-loss and resync messages; nil is
	// slog.Default().
	Logger *slog.Logger
}

// Store is the PostgreSQL-backed store.Store.
type Store struct {
	pool   *pgxpool.Pool
	dsn    string
	origin string // this process's id in notifications
	opts   Options
	log    *slog.Logger

	subMu sync.Mutex
	subs  map[int]func(store.Change)
	next  int

	stop      context.CancelFunc
	listening chan struct{} // closed when the listener goroutine ends
	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn (postgres://…), migrates its
// schema, and starts listening for other nodes' changes. It fails with
// *ErrSchemaTooNew when a newer Stagecoach has migrated the database.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		var tooNew *ErrSchemaTooNew
		if errors.As(err, &tooNew) {
			return nil, err
		}
		return nil, fmt.Errorf("postgres: schema: %w", err)
	}
	var id [8]byte
	rand.Read(id[:])
	s := &Store{pool: pool, dsn: dsn, origin: hex.EncodeToString(id[:]), opts: opts, log: opts.Logger,
		subs: map[int]func(store.Change){}, listening: make(chan struct{})}
	l, err := s.newListener(ctx)
	if err != nil {
		pool.Close()
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go func() {
		defer close(s.listening)
		l.run(lctx)
	}()
	return s, nil
}

// Close stops listening and closes the pool.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.listening
		s.pool.Close()
	})
	return nil
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return fn(&txn{ctx: ctx, tx: tx, readOnly: true})
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // no-op after Commit
	// Statements after the lock see everything committed before it
	// (READ COMMITTED takes a snapshot per statement).
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(writeLockKey)); err != nil {
		return fmt.Errorf("postgres: write lock: %w", err)
	}
	t := &txn{ctx: ctx, tx: tx, changed: map[string]bool{}}
	if err := fn(t); err != nil {
		return err
	}
	var ch store.Change
	changed := len(t.changed) > 0 || t.account || t.usage || t.domains
	if changed {
		ch = store.Change{Account: t.account, UsagePlans: t.usage, Domains: t.domains}
		for id := range t.changed {
			ch.RestAPIIDs = append(ch.RestAPIIDs, id)
		}
		slices.Sort(ch.RestAPIIDs)
		// NOTIFY inside the transaction is delivered at commit, and
		// only if it commits.
		if err := s.announce(ctx, tx, ch); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	if changed {
		s.publish(ch)
	}
	return nil
}

// Subscribe implements store.Store. Callbacks run on the committing
// goroutine for this node's own Updates, and on the listener goroutine for
// other nodes' changes.
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
	tx       pgx.Tx
	readOnly bool
	changed  map[string]bool
	account  bool
	usage    bool
	domains  bool // a store.KindDomainName record written
}

func (t *txn) touch(restAPIID string) {
	if t.changed != nil {
		t.changed[restAPIID] = true
	}
}

func (t *txn) touchUsage() {
	if !t.readOnly {
		t.usage = true
	}
}

func (t *txn) writable() error {
	if t.readOnly {
		return errors.New("postgres: write in a read-only transaction")
	}
	return nil
}

func (t *txn) exec(sql string, args ...any) error {
	_, err := t.tx.Exec(t.ctx, sql, args...)
	return err
}

// execAffected runs a DELETE and reports ErrNotFound when it hit nothing.
func (t *txn) execAffected(sql string, args ...any) error {
	tag, err := t.tx.Exec(t.ctx, sql, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func decode(doc string, v any) error {
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return fmt.Errorf("postgres: decode: %w", err)
	}
	return nil
}

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("postgres: encode: %w", err)
	}
	return string(b), nil
}

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// apiParts is the rest_api_parts document, as in the SQLite store.
type apiParts struct {
	Authorizers       map[string]*apigw.Authorizer       `json:"authorizers,omitempty"`
	GatewayResponses  map[string]*apigw.GatewayResponse  `json:"gatewayResponses,omitempty"`
	Models            map[string]*apigw.Model            `json:"models,omitempty"`
	RequestValidators map[string]*apigw.RequestValidator `json:"requestValidators,omitempty"`
}

func decodeAPI(doc, res string, parts *string) (*apigw.RestAPI, error) {
	var a apigw.RestAPI
	if err := decode(doc, &a); err != nil {
		return nil, err
	}
	if err := decode(res, &a.Resources); err != nil {
		return nil, err
	}
	if parts != nil {
		var p apiParts
		if err := decode(*parts, &p); err != nil {
			return nil, err
		}
		a.Authorizers, a.GatewayResponses = p.Authorizers, p.GatewayResponses
		a.Models, a.RequestValidators = p.Models, p.RequestValidators
	}
	return &a, nil
}

const selectAPI = `SELECT a.doc, a.resources, p.doc FROM rest_apis a
	LEFT JOIN rest_api_parts p ON p.rest_api_id = a.id`

func (t *txn) RestAPI(id string) (*apigw.RestAPI, error) {
	var doc, res string
	var parts *string
	if err := t.tx.QueryRow(t.ctx, selectAPI+` WHERE a.id = $1`, id).Scan(&doc, &res, &parts); err != nil {
		return nil, notFound(err)
	}
	return decodeAPI(doc, res, parts)
}

func (t *txn) RestAPIs() ([]*apigw.RestAPI, error) {
	rows, err := t.tx.Query(t.ctx, selectAPI+` ORDER BY a.created, a.seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*apigw.RestAPI
	for rows.Next() {
		var doc, res string
		var parts *string
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
	t.touch(a.ID)
	if err := t.exec(`INSERT INTO rest_apis (id, created, doc, resources) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, resources = excluded.resources`,
		a.ID, a.CreatedDate.Unix(), doc, res); err != nil {
		return err
	}
	if len(a.Authorizers) == 0 && len(a.GatewayResponses) == 0 && len(a.Models) == 0 && len(a.RequestValidators) == 0 {
		return t.exec(`DELETE FROM rest_api_parts WHERE rest_api_id = $1`, a.ID)
	}
	parts, err := encode(apiParts{Authorizers: a.Authorizers, GatewayResponses: a.GatewayResponses,
		Models: a.Models, RequestValidators: a.RequestValidators})
	if err != nil {
		return err
	}
	return t.exec(`INSERT INTO rest_api_parts (rest_api_id, doc) VALUES ($1, $2)
		ON CONFLICT (rest_api_id) DO UPDATE SET doc = excluded.doc`, a.ID, parts)
}

func (t *txn) DeleteRestAPI(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.touch(id)
	return t.execAffected(`DELETE FROM rest_apis WHERE id = $1`, id)
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
	err := t.tx.QueryRow(t.ctx, `SELECT doc, snapshot FROM deployments WHERE rest_api_id = $1 AND id = $2`,
		restAPIID, id).Scan(&doc, &snap)
	if err != nil {
		return nil, notFound(err)
	}
	return decodeDeployment(doc, snap)
}

func (t *txn) Deployments(restAPIID string) ([]*apigw.Deployment, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT doc, snapshot FROM deployments WHERE rest_api_id = $1 ORDER BY created, seq`, restAPIID)
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
	t.touch(restAPIID)
	return t.exec(`INSERT INTO deployments (rest_api_id, id, created, doc, snapshot) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (rest_api_id, id) DO UPDATE SET doc = excluded.doc, snapshot = excluded.snapshot`,
		restAPIID, d.ID, d.CreatedDate.Unix(), doc, sdoc)
}

func (t *txn) DeleteDeployment(restAPIID, id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.touch(restAPIID)
	return t.execAffected(`DELETE FROM deployments WHERE rest_api_id = $1 AND id = $2`, restAPIID, id)
}

func (t *txn) Stage(restAPIID, name string) (*apigw.Stage, error) {
	var doc string
	err := t.tx.QueryRow(t.ctx, `SELECT doc FROM stages WHERE rest_api_id = $1 AND name = $2`, restAPIID, name).Scan(&doc)
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
	// COLLATE "C": byte order, as SQLite sorts, whatever the database's
	// locale.
	docs, err := t.strings(`SELECT doc FROM stages WHERE rest_api_id = $1 ORDER BY name COLLATE "C"`, restAPIID)
	if err != nil {
		return nil, err
	}
	out := make([]*apigw.Stage, 0, len(docs))
	for _, doc := range docs {
		var s apigw.Stage
		if err := decode(doc, &s); err != nil {
			return nil, err
		}
		out = append(out, &s)
	}
	return out, nil
}

func (t *txn) PutStage(restAPIID string, s *apigw.Stage) error {
	if err := t.writable(); err != nil {
		return err
	}
	doc, err := encode(s)
	if err != nil {
		return err
	}
	t.touch(restAPIID)
	return t.exec(`INSERT INTO stages (rest_api_id, name, doc) VALUES ($1, $2, $3)
		ON CONFLICT (rest_api_id, name) DO UPDATE SET doc = excluded.doc`, restAPIID, s.StageName, doc)
}

func (t *txn) DeleteStage(restAPIID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.touch(restAPIID)
	return t.execAffected(`DELETE FROM stages WHERE rest_api_id = $1 AND name = $2`, restAPIID, name)
}

func (t *txn) Account() (*apigw.Account, error) {
	var doc string
	err := t.tx.QueryRow(t.ctx, `SELECT doc FROM account WHERE id = 1`).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
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
	t.account = true
	return t.exec(`INSERT INTO account (id, doc) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`, doc)
}

func (t *txn) Record(kind, key string) ([]byte, error) {
	var doc []byte
	if err := t.tx.QueryRow(t.ctx, `SELECT doc FROM records WHERE kind = $1 AND key = $2`, kind, key).Scan(&doc); err != nil {
		return nil, notFound(err)
	}
	return doc, nil
}

func (t *txn) Records(kind string) ([][]byte, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT doc FROM records WHERE kind = $1 ORDER BY seq`, kind)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]byte])
}

func (t *txn) PutRecord(kind, key string, doc []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.domains = t.domains || kind == store.KindDomainName
	return t.exec(`INSERT INTO records (kind, key, doc) VALUES ($1, $2, $3)
		ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc`, kind, key, doc)
}

func (t *txn) DeleteRecord(kind, key string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.domains = t.domains || kind == store.KindDomainName
	return t.execAffected(`DELETE FROM records WHERE kind = $1 AND key = $2`, kind, key)
}

// strings runs a query returning one text column.
func (t *txn) strings(sql string, args ...any) ([]string, error) {
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Package logstore is Stagecoach's CloudWatch-Logs-like store: log
// groups, streams and events in their own SQLite file under the data
// directory (so heavy log traffic never contends with the configuration
// store), with per-group retention, a default age cap and a total size
// cap.
//
// Writes are serialised by one mutex and arrive in batches (Append is
// one transaction per batch); reads run alongside in WAL mode.
//
// Storage unit: a block is every event one batch wrote to one stream,
// stored as one row: the events' timestamps and messages, compressed
// with DEFLATE. The gateway logs ~20 execution log lines (~2.5 KB) per
// request at INFO with data trace; SQLite's cost is mostly per row and per
// byte (each page goes to the WAL and again to the database file), so a
// row per request, let alone per line, cost more than serving the request
// did. One row per batch and stream, and request logs that compress ~10x
// (request ids, header names and the fixed wording repeat), bring the
// store's share to a few microseconds per request. Reads decompress the
// blocks that overlap the queried time range and merge their events in
// time order; event ids and pagination positions address (block, event
// index within the block).
//
// A record — several events of one stream sharing a timestamp, messages
// separated by NUL (Sep) — is how callers hand over one request's
// execution log in one Event.
package logstore

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

const schema = `
CREATE TABLE IF NOT EXISTS log_groups (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	created INTEGER NOT NULL,
	retention_days INTEGER,
	stored_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS log_streams (
	id INTEGER PRIMARY KEY,
	group_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	created INTEGER NOT NULL,
	first_event INTEGER,
	last_event INTEGER,
	last_ingestion INTEGER,
	UNIQUE (group_id, name)
);
CREATE TABLE IF NOT EXISTS log_blocks (
	id INTEGER PRIMARY KEY,
	group_id INTEGER NOT NULL,
	stream_id INTEGER NOT NULL,
	ts_min INTEGER NOT NULL,
	ts_max INTEGER NOT NULL,
	ingested INTEGER NOT NULL,
	n INTEGER NOT NULL,
	bytes INTEGER NOT NULL,
	data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS log_blocks_group_ts ON log_blocks (group_id, ts_min);
`

// migrate drops the row-per-record table of earlier builds (log
// telemetry, not configuration: it is not converted) and zeroes the byte
// counts it held.
const migrate = `
DROP TABLE log_records;
UPDATE log_groups SET stored_bytes = 0;
UPDATE log_streams SET first_event = NULL, last_event = NULL;
`

// EventOverhead is what CloudWatch Logs counts per event on top of the
// message bytes (26 bytes, "PutLogEvents" quotas); storedBytes and the
// size cap use the same accounting.
const EventOverhead = 26

// Defaults for Options.
const (
	DefaultMaxAge   = 30 * 24 * time.Hour
	DefaultMaxBytes = 512 << 20
	enforceEvery    = time.Minute
)

// Errors callers map to CloudWatch Logs exceptions.
var (
	ErrGroupNotFound  = errors.New("The specified log group does not exist.")
	ErrStreamNotFound = errors.New("The specified log stream does not exist.")
	ErrGroupExists    = errors.New("The specified log group already exists")
	ErrStreamExists   = errors.New("The specified log stream already exists")
)

// Options configure a Store.
type Options struct {
	// MaxAge removes events older than this from groups without a
	// retention policy (a policy, shorter or longer, wins). Zero means
	// DefaultMaxAge; negative keeps events until the size cap.
	MaxAge time.Duration
	// MaxBytes caps the stored bytes of all groups together; the oldest
	// events go first. Zero means DefaultMaxBytes; negative is no cap.
	MaxBytes int64
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Store is an open log store.
type Store struct {
	db   *sql.DB
	opts Options

	mu         sync.Mutex // serialises writes; guards the caches below
	groupIDs   map[string]int64
	streamIDs  map[streamKey]int64
	totalBytes int64
	raw        []byte        // block encoding buffer
	packed     bytes.Buffer  // compressed block
	deflate    *flate.Writer // reused: its state is ~1 MB

	trim chan struct{} // asks the janitor to enforce the size cap now
	stop chan struct{}
	done chan struct{}
}

type streamKey struct {
	group int64
	name  string
}

// Open opens (creating if needed) the log store file path, e.g.
// {data-dir}/logs.db, and starts its retention janitor.
func Open(path string, opts Options) (*Store, error) {
	if opts.MaxAge == 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.MaxBytes == 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("logstore: create dir: %w", err)
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("logstore: open: %w", err)
	}
	db.SetMaxOpenConns(4)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("logstore: schema: %w", err)
	}
	var old int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'log_records'`).Scan(&old); err == nil && old > 0 {
		if _, err := db.Exec(migrate); err != nil {
			db.Close()
			return nil, fmt.Errorf("logstore: migrate: %w", err)
		}
	}
	s := &Store{
		db: db, opts: opts,
		groupIDs:  map[string]int64{},
		streamIDs: map[streamKey]int64{},
		trim:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	if err := db.QueryRow(`SELECT COALESCE(SUM(stored_bytes), 0) FROM log_groups`).Scan(&s.totalBytes); err != nil {
		db.Close()
		return nil, fmt.Errorf("logstore: size: %w", err)
	}
	go s.janitor()
	return s, nil
}

// Close stops the janitor and closes the database.
func (s *Store) Close() error {
	close(s.stop)
	<-s.done
	return s.db.Close()
}

func (s *Store) nowMillis() int64 { return s.opts.Now().UnixMilli() }

// Group is a log group as DescribeLogGroups reports it.
type Group struct {
	Name          string
	Created       int64 // Unix ms
	RetentionDays int   // 0: never expire
	StoredBytes   int64
}

// Stream is a log stream as DescribeLogStreams reports it. Times are
// Unix ms; zero when the stream has no events.
type Stream struct {
	Name          string
	Created       int64
	FirstEvent    int64
	LastEvent     int64
	LastIngestion int64
}

// Sep separates the messages of several events in Event.Message.
const Sep = '\x00'

// Event is one log event to append, or several with the same group,
// stream and timestamp when Message contains Sep: "a\x00b" is two
// events, "a" and "b". Messages themselves cannot contain NUL (callers
// replace it; see CleanMessage).
type Event struct {
	Group   string
	Stream  string
	Time    int64 // Unix ms
	Message string
}

// Count returns how many events e holds.
func (e *Event) Count() int { return strings.Count(e.Message, string(Sep)) + 1 }

// CleanMessage makes a single message storable: NUL, which separates
// events, becomes U+FFFD.
func CleanMessage(m string) string {
	if strings.IndexByte(m, Sep) < 0 {
		return m
	}
	return strings.ReplaceAll(m, string(Sep), "\uFFFD")
}

// storedBytes is what CloudWatch would count for the events of one
// record: the message bytes plus EventOverhead each.
func storedBytes(msg string, n int) int64 {
	return int64(len(msg)-(n-1)) + int64(n)*EventOverhead
}

// StoredEvent is an event read back: the Line-th event of record ID.
type StoredEvent struct {
	ID        int64
	Line      int
	Stream    string
	Time      int64
	Ingestion int64
	Message   string
}

// CreateGroup creates an empty log group.
func (s *Store) CreateGroup(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.db.ExecContext(ctx, `INSERT INTO log_groups (name, created) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, s.nowMillis())
	if err != nil {
		return fmt.Errorf("logstore: create group: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrGroupExists
	}
	return nil
}

// DeleteGroup deletes a group with its streams and events.
func (s *Store) DeleteGroup(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var id, bytes int64
	if err := tx.QueryRowContext(ctx, `SELECT id, stored_bytes FROM log_groups WHERE name = ?`, name).Scan(&id, &bytes); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ErrGroupNotFound
		}
		return err
	}
	for _, q := range []string{
		`DELETE FROM log_blocks WHERE group_id = ?`,
		`DELETE FROM log_streams WHERE group_id = ?`,
		`DELETE FROM log_groups WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("logstore: delete group: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	delete(s.groupIDs, name)
	for k := range s.streamIDs {
		if k.group == id {
			delete(s.streamIDs, k)
		}
	}
	s.totalBytes -= bytes
	return nil
}

// RetentionDays are the values PutRetentionPolicy accepts.
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// PutRetention sets a group's retention in days (one of RetentionDays;
// the caller validates) and applies it at once.
func (s *Store) PutRetention(ctx context.Context, name string, days int) error {
	if err := s.setRetention(ctx, name, sql.NullInt64{Int64: int64(days), Valid: true}); err != nil {
		return err
	}
	return s.Enforce(ctx)
}

// DeleteRetention makes a group's events never expire (except for the
// store's own caps).
func (s *Store) DeleteRetention(ctx context.Context, name string) error {
	return s.setRetention(ctx, name, sql.NullInt64{})
}

func (s *Store) setRetention(ctx context.Context, name string, days sql.NullInt64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.db.ExecContext(ctx, `UPDATE log_groups SET retention_days = ? WHERE name = ?`, days, name)
	if err != nil {
		return fmt.Errorf("logstore: retention: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrGroupNotFound
	}
	return nil
}

// CreateStream creates an empty stream in an existing group.
func (s *Store) CreateStream(ctx context.Context, group, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	gid, err := s.groupID(ctx, group)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO log_streams (group_id, name, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		gid, name, s.nowMillis())
	if err != nil {
		return fmt.Errorf("logstore: create stream: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrStreamExists
	}
	return nil
}

// groupID looks a group up (s.mu held).
func (s *Store) groupID(ctx context.Context, name string) (int64, error) {
	if id, ok := s.groupIDs[name]; ok {
		return id, nil
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM log_groups WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrGroupNotFound
	}
	if err != nil {
		return 0, err
	}
	s.groupIDs[name] = id
	return id, nil
}

// Append writes a batch of events in one transaction, creating groups and
// streams that do not exist yet (API Gateway creates its execution log
// groups itself, and Stagecoach also creates an access log destination
// group on first use rather than dropping the lines).
func (s *Store) Append(ctx context.Context, events []Event) error {
	return s.write(ctx, events, true)
}

// Put writes events to an existing stream (PutLogEvents).
func (s *Store) Put(ctx context.Context, group, stream string, events []Event) error {
	for i := range events {
		events[i].Group, events[i].Stream = group, stream
	}
	return s.write(ctx, events, false)
}

func (s *Store) write(ctx context.Context, events []Event, create bool) error {
	if len(events) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowMillis()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Resolve ids inside the transaction; remember new ones only once it
	// commits.
	newGroups := map[string]int64{}
	newStreams := map[streamKey]int64{}
	resolveGroup := func(name string) (int64, error) {
		if id, ok := s.groupIDs[name]; ok {
			return id, nil
		}
		if id, ok := newGroups[name]; ok {
			return id, nil
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM log_groups WHERE name = ?`, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			if !create {
				return 0, ErrGroupNotFound
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO log_groups (name, created) VALUES (?, ?) RETURNING id`, name, now).Scan(&id)
		}
		if err != nil {
			return 0, err
		}
		newGroups[name] = id
		return id, nil
	}
	resolveStream := func(gid int64, name string) (int64, error) {
		k := streamKey{gid, name}
		if id, ok := s.streamIDs[k]; ok {
			return id, nil
		}
		if id, ok := newStreams[k]; ok {
			return id, nil
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM log_streams WHERE group_id = ? AND name = ?`, gid, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			if !create {
				return 0, ErrStreamNotFound
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO log_streams (group_id, name, created) VALUES (?, ?, ?) RETURNING id`, gid, name, now).Scan(&id)
		}
		if err != nil {
			return 0, err
		}
		newStreams[k] = id
		return id, nil
	}

	// One block per stream, events in the order given.
	type block struct {
		gid, sid     int64
		tsMin, tsMax int64
		events       []*Event
		n, bytes     int64
	}
	var blocks []*block
	byStream := map[int64]*block{}
	lastGroup, lastStream := "", ""
	var gid, sid int64
	for i := range events {
		e := &events[i]
		if e.Group != lastGroup || e.Stream != lastStream || i == 0 {
			if gid, err = resolveGroup(e.Group); err != nil {
				return err
			}
			if sid, err = resolveStream(gid, e.Stream); err != nil {
				return err
			}
			lastGroup, lastStream = e.Group, e.Stream
		}
		b := byStream[sid]
		if b == nil {
			b = &block{gid: gid, sid: sid, tsMin: e.Time, tsMax: e.Time}
			byStream[sid] = b
			blocks = append(blocks, b)
		}
		count := e.Count()
		b.events = append(b.events, e)
		b.n += int64(count)
		b.bytes += storedBytes(e.Message, count)
		b.tsMin, b.tsMax = min(b.tsMin, e.Time), max(b.tsMax, e.Time)
	}
	groupBytes := map[int64]int64{}
	var added int64
	for _, b := range blocks {
		data, err := s.encodeBlock(b.tsMin, b.events)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO log_blocks (group_id, stream_id, ts_min, ts_max, ingested, n, bytes, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			b.gid, b.sid, b.tsMin, b.tsMax, now, b.n, b.bytes, data); err != nil {
			return fmt.Errorf("logstore: insert: %w", err)
		}
		groupBytes[b.gid] += b.bytes
		added += b.bytes
		if _, err := tx.ExecContext(ctx, `UPDATE log_streams SET
			first_event = MIN(COALESCE(first_event, ?1), ?1),
			last_event = MAX(COALESCE(last_event, ?2), ?2),
			last_ingestion = ?3 WHERE id = ?4`, b.tsMin, b.tsMax, now, b.sid); err != nil {
			return err
		}
	}
	for id, n := range groupBytes {
		if _, err := tx.ExecContext(ctx, `UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE id = ?`, n, id); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for k, v := range newGroups {
		s.groupIDs[k] = v
	}
	for k, v := range newStreams {
		s.streamIDs[k] = v
	}
	s.totalBytes += added
	if s.opts.MaxBytes > 0 && s.totalBytes > s.opts.MaxBytes {
		select {
		case s.trim <- struct{}{}:
		default:
		}
	}
	return nil
}

// StoredBytes is the size of everything stored, as the size cap counts it.
func (s *Store) StoredBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.totalBytes
}

func (s *Store) janitor() {
	defer close(s.done)
	t := time.NewTicker(enforceEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.trim:
		}
		_ = s.Enforce(context.Background())
	}
}

// Enforce applies retention policies, the default age cap and the size
// cap now. The janitor calls it every minute and whenever a write goes
// over the size cap.
func (s *Store) Enforce(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	rows, err := s.db.QueryContext(ctx, `SELECT id, retention_days FROM log_groups`)
	if err != nil {
		return err
	}
	type policy struct {
		id   int64
		days sql.NullInt64
	}
	var groups []policy
	for rows.Next() {
		var p policy
		if err := rows.Scan(&p.id, &p.days); err != nil {
			rows.Close()
			return err
		}
		groups = append(groups, p)
	}
	rows.Close()
	for _, g := range groups {
		var cutoff int64
		switch {
		case g.days.Valid:
			cutoff = now.Add(-time.Duration(g.days.Int64) * 24 * time.Hour).UnixMilli()
		case s.opts.MaxAge > 0:
			cutoff = now.Add(-s.opts.MaxAge).UnixMilli()
		default:
			continue
		}
		// Blocks wholly past the cutoff go; those it cuts through are
		// rewritten without their expired events (CloudWatch expires
		// events, not batches).
		if err := s.deleteWhere(ctx, `group_id = ? AND ts_max < ?`, g.id, cutoff); err != nil {
			return err
		}
		if err := s.trimBlocks(ctx, g.id, cutoff); err != nil {
			return err
		}
	}
	if s.opts.MaxBytes <= 0 {
		return nil
	}
	// Over the cap: drop the oldest-ingested blocks in chunks until the
	// store is at 90% of the cap, so a full store does not trim on every
	// batch.
	if s.totalBytes <= s.opts.MaxBytes {
		return nil
	}
	target := s.opts.MaxBytes / 10 * 9
	for s.totalBytes > target {
		cut, err := s.oldestCovering(ctx, s.totalBytes-target)
		if err != nil || cut == 0 {
			return err
		}
		if err := s.deleteWhere(ctx, `id <= ?`, cut); err != nil {
			return err
		}
	}
	return nil
}

// trimBlocks rewrites a group's blocks that hold events older than cutoff
// (and newer ones: older blocks are gone) without the old events (s.mu
// held).
func (s *Store) trimBlocks(ctx context.Context, gid, cutoff int64) error {
	type block struct {
		id, tsMin, bytes int64
		data             []byte
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, ts_min, bytes, data FROM log_blocks WHERE group_id = ? AND ts_min < ?`, gid, cutoff)
	if err != nil {
		return err
	}
	var cut []block
	for rows.Next() {
		var b block
		if err := rows.Scan(&b.id, &b.tsMin, &b.bytes, &b.data); err != nil {
			rows.Close()
			return err
		}
		cut = append(cut, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(cut) == 0 {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var freed int64
	for _, b := range cut {
		var kept []*Event
		tsMin, tsMax := int64(0), int64(0)
		var n, bytes int64
		err := decodeRecords(b.data, b.tsMin, func(ts int64, msg string) {
			if ts < cutoff {
				return
			}
			if len(kept) == 0 {
				tsMin, tsMax = ts, ts
			}
			tsMin, tsMax = min(tsMin, ts), max(tsMax, ts)
			e := &Event{Time: ts, Message: msg}
			c := e.Count()
			n += int64(c)
			bytes += storedBytes(msg, c)
			kept = append(kept, e)
		})
		if err != nil {
			return err
		}
		if len(kept) == 0 {
			continue // cannot happen: ts_max >= cutoff
		}
		data, err := s.encodeBlock(tsMin, kept)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE log_blocks SET ts_min = ?, ts_max = ?, n = ?, bytes = ?, data = ? WHERE id = ?`,
			tsMin, tsMax, n, bytes, data, b.id); err != nil {
			return err
		}
		freed += b.bytes - bytes
	}
	if _, err := tx.ExecContext(ctx, `UPDATE log_groups SET stored_bytes = MAX(stored_bytes - ?, 0) WHERE id = ?`, freed, gid); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.totalBytes -= freed
	return nil
}

// oldestCovering returns the id up to which the oldest-ingested blocks
// add up to at least excess bytes (or the 5000th oldest, whichever comes
// first; the caller loops). 0 when the store is empty.
func (s *Store) oldestCovering(ctx context.Context, excess int64) (int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, bytes FROM log_blocks ORDER BY id LIMIT 5000`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var id, n, freed int64
	for rows.Next() {
		if err := rows.Scan(&id, &n); err != nil {
			return 0, err
		}
		if freed += n; freed >= excess {
			break
		}
	}
	return id, rows.Err()
}

// deleteWhere deletes matching events and keeps the byte counts right
// (s.mu held).
func (s *Store) deleteWhere(ctx context.Context, where string, args ...any) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT group_id, SUM(bytes) FROM log_blocks WHERE `+where+` GROUP BY group_id`, args...)
	if err != nil {
		return err
	}
	freed := map[int64]int64{}
	for rows.Next() {
		var gid, n int64
		if err := rows.Scan(&gid, &n); err != nil {
			rows.Close()
			return err
		}
		freed[gid] = n
	}
	rows.Close()
	if len(freed) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM log_blocks WHERE `+where, args...); err != nil {
		return err
	}
	var total int64
	for gid, n := range freed {
		total += n
		if _, err := tx.ExecContext(ctx, `UPDATE log_groups SET stored_bytes = MAX(stored_bytes - ?, 0) WHERE id = ?`, n, gid); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.totalBytes -= total
	return nil
}

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/stagecoach/stagecoach/internal/store"
)

// channel is the NOTIFY channel every node listens on.
const channel = "stagecoach_changes"

// maxPayload keeps a notification under PostgreSQL's 8000-byte limit; a
// change naming more APIs than fit is announced as a resync.
const maxPayload = 7000

// notice is a notification's payload: the store.Change (its fields inline)
// with the counter value it committed and the node that made it.
type notice struct {
	store.Change
	Version int64  `json:"version"`
	Origin  string `json:"origin"`
}

// resync is what subscribers get when this node cannot know exactly what
// changed (a lost notification): Account recompiles every stage,
// UsagePlans every key table, Domains the custom domain table.
var resync = store.Change{Account: true, UsagePlans: true, Domains: true}

// announce bumps the change counter and queues the NOTIFY; both take
// effect only if the transaction commits.
func (s *Store) announce(ctx context.Context, tx pgx.Tx, ch store.Change) error {
	var v int64
	if err := tx.QueryRow(ctx, `UPDATE change_counter SET version = version + 1 WHERE id = 1 RETURNING version`).Scan(&v); err != nil {
		return fmt.Errorf("postgres: change counter: %w", err)
	}
	b, err := json.Marshal(notice{Change: ch, Version: v, Origin: s.origin})
	if err == nil && len(b) > maxPayload {
		b, err = json.Marshal(notice{Change: resync, Version: v, Origin: s.origin})
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, string(b))
	return err
}

// listener turns other nodes' notifications into Subscribe callbacks. One
// goroutine owns it, so seen needs no lock.
type listener struct {
	s    *Store
	conn *pgx.Conn
	// seen is the highest counter value whose change this node has
	// delivered (or knows it needs no delivery: its own commits).
	seen int64
	// behind is the counter read at the previous poll if seen was below
	// it then; still below at the next poll means a notification was
	// lost (one interval of grace lets an in-flight one arrive).
	behind int64
}

// newListener connects, LISTENs and reads the counter, in that order, so
// no change committed after Open returns can go unheard.
func (s *Store) newListener(ctx context.Context) (*listener, error) {
	l := &listener{s: s}
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, err
	}
	if l.seen, err = counter(ctx, conn); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("postgres: change counter: %w", err)
	}
	l.conn = conn
	return l, nil
}

func (l *listener) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(l.s.dsn)
	if err != nil {
		return nil, err
	}
	// A timed-out wait must leave the connection usable: move the
	// socket deadline instead of sending a cancel request (which could
	// cancel the next query on this connection).
	// Named so operators (and tests) can tell it from pool connections.
	cfg.RuntimeParams["application_name"] = "stagecoach-change-listener"
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: listener connect: %w", err)
	}
	if _, err := conn.Exec(ctx, `LISTEN `+channel); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("postgres: listen: %w", err)
	}
	return conn, nil
}

func counter(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var v int64
	err := conn.QueryRow(ctx, `SELECT version FROM change_counter WHERE id = 1`).Scan(&v)
	return v, err
}

// run waits for notifications until ctx ends, polling the counter every
// PollInterval and reconnecting (with a resync) after a lost connection.
func (l *listener) run(ctx context.Context) {
	defer func() {
		if l.conn != nil {
			l.conn.Close(context.Background())
		}
	}()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if l.conn == nil {
			conn, err := l.connect(ctx)
			if err != nil {
				if ctx.Err() == nil {
					l.s.log.Warn("postgres: change listener cannot reconnect; retrying", "error", err, "in", backoff)
				}
				select {
				case <-ctx.Done():
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, 5*time.Second)
				continue
			}
			backoff = 100 * time.Millisecond
			l.conn = conn
			l.s.log.Info("postgres: change listener reconnected")
			// Whatever was committed while disconnected went unheard.
			if err := l.poll(ctx, true); err != nil {
				l.drop(err)
				continue
			}
		}
		wctx, cancel := context.WithTimeout(ctx, l.s.opts.PollInterval)
		n, err := l.conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			l.handle(n.Payload)
		case ctx.Err() != nil:
			return
		case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
			if err := l.poll(ctx, false); err != nil {
				l.drop(err)
			}
		default:
			l.drop(err)
		}
	}
}

// drop forgets a broken connection; run reconnects.
func (l *listener) drop(err error) {
	l.s.log.Warn("postgres: change listener lost its connection; reconnecting", "error", err)
	l.conn.Close(context.Background())
	l.conn = nil
}

// handle delivers one notification. Versions arrive in commit order
// (writers are serialised by the write lock), so a jump means one was
// lost: resync instead of guessing.
func (l *listener) handle(payload string) {
	var n notice
	if err := json.Unmarshal([]byte(payload), &n); err != nil {
		l.s.log.Warn("postgres: unreadable change notification; resyncing", "error", err)
		l.s.publish(resync)
		return
	}
	switch {
	case n.Version <= l.seen:
		// Already covered by a resync.
	case n.Version == l.seen+1:
		l.seen = n.Version
		if n.Origin != l.s.origin { // own commits were published by Update
			l.s.publish(n.Change)
		}
	default:
		l.s.log.Warn("postgres: missed change notifications; resyncing", "heard", l.seen, "now", n.Version)
		l.seen = n.Version
		l.s.publish(resync)
	}
}

// poll compares the counter with what was heard. now resyncs at once when
// behind (after a reconnect); otherwise a lag must outlast one interval.
func (l *listener) poll(ctx context.Context, now bool) error {
	v, err := counter(ctx, l.conn)
	if err != nil {
		return err
	}
	switch {
	case v <= l.seen:
		l.behind = 0
	case now || (l.behind != 0 && l.behind > l.seen):
		l.s.log.Warn("postgres: change counter ahead of notifications heard; resyncing", "heard", l.seen, "now", v)
		l.seen, l.behind = v, 0
		l.s.publish(resync)
	default:
		l.behind = v
	}
	return nil
}

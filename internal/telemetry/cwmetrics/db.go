package cwmetrics

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// One row per series, and one per (series, metric, minute) with the
// minute's aggregate. A minute is Unix seconds / 60. The histogram is
// Histogram.AppendBinary's encoding; NULL for the 0/1 metrics.
const schema = `
CREATE TABLE IF NOT EXISTS series (
	id INTEGER PRIMARY KEY,
	api_id TEXT NOT NULL,
	api_name TEXT NOT NULL,
	stage TEXT NOT NULL,
	base_stage TEXT NOT NULL,
	method TEXT NOT NULL,
	resource TEXT NOT NULL,
	UNIQUE (api_id, api_name, stage, method, resource)
);
CREATE TABLE IF NOT EXISTS points (
	series_id INTEGER NOT NULL,
	metric INTEGER NOT NULL,
	minute INTEGER NOT NULL,
	n INTEGER NOT NULL,
	sum REAL NOT NULL,
	min REAL NOT NULL,
	max REAL NOT NULL,
	hist BLOB,
	PRIMARY KEY (series_id, metric, minute)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS points_minute ON points (minute);
`

type db struct {
	sql *sql.DB
}

func openDB(path string) (*db, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("cwmetrics: create dir: %w", err)
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	s, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("cwmetrics: open: %w", err)
	}
	s.SetMaxOpenConns(4)
	if _, err := s.Exec(schema); err != nil {
		s.Close()
		return nil, fmt.Errorf("cwmetrics: schema: %w", err)
	}
	return &db{sql: s}, nil
}

func (d *db) close() error { return d.sql.Close() }

func (d *db) seriesCount() (int, error) {
	var n int
	err := d.sql.QueryRow(`SELECT COUNT(*) FROM series`).Scan(&n)
	return n, err
}

// writer is one write transaction.
type writer struct {
	tx                    *sql.Tx
	findSeries, insSeries *sql.Stmt
	getPoint, putPoint    *sql.Stmt
	buf                   []byte
}

func (d *db) write(f func(*writer) error) error {
	ctx := context.Background()
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w := &writer{tx: tx}
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&w.findSeries, `SELECT id FROM series WHERE api_id = ? AND api_name = ? AND stage = ? AND method = ? AND resource = ?`},
		{&w.insSeries, `INSERT INTO series (api_id, api_name, stage, base_stage, method, resource) VALUES (?, ?, ?, ?, ?, ?)`},
		{&w.getPoint, `SELECT n, sum, min, max, hist FROM points WHERE series_id = ? AND metric = ? AND minute = ?`},
		{&w.putPoint, `INSERT OR REPLACE INTO points (series_id, metric, minute, n, sum, min, max, hist) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
	} {
		if *p.st, err = tx.Prepare(p.sql); err != nil {
			return err
		}
	}
	if err := f(w); err != nil {
		return err
	}
	return tx.Commit()
}

// seriesID returns the id of k's row, creating it if create is set (0
// when it does not exist and may not be created).
func (w *writer) seriesID(k SeriesKey, create bool) (id int64, created bool, err error) {
	err = w.findSeries.QueryRow(k.APIID, k.APIName, k.Stage, k.Method, k.Resource).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if err != sql.ErrNoRows {
		return 0, false, err
	}
	if !create {
		return 0, false, nil
	}
	res, err := w.insSeries.Exec(k.APIID, k.APIName, k.Stage, baseStage(k.Stage), k.Method, k.Resource)
	if err != nil {
		return 0, false, err
	}
	id, err = res.LastInsertId()
	return id, err == nil, err
}

func baseStage(stage string) string {
	if len(stage) > len(CanarySuffix) && stage[len(stage)-len(CanarySuffix):] == CanarySuffix {
		return stage[:len(stage)-len(CanarySuffix)]
	}
	return stage
}

// merge adds st to the stored aggregate of (series, metric, minute).
func (w *writer) merge(series int64, m Metric, minute int64, st *Stat) error {
	var old Stat
	var hist []byte
	err := w.getPoint.QueryRow(series, int(m), minute).Scan(&old.N, &old.Sum, &old.Min, &old.Max, &hist)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return err
	default:
		if hist != nil {
			if old.Hist, err = DecodeHistogram(hist); err != nil {
				return err
			}
		}
	}
	old.Merge(st)
	var blob any
	if old.Hist != nil {
		w.buf = old.Hist.AppendBinary(w.buf[:0])
		blob = w.buf
	}
	_, err = w.putPoint.Exec(series, int(m), minute, old.N, old.Sum, old.Min, old.Max, blob)
	return err
}

// deleteSeriesExcept deletes the series (and points) of every stage not
// in live; it returns how many series went.
func (d *db) deleteSeriesExcept(live map[StageID]bool) (int, error) {
	rows, err := d.sql.Query(`SELECT DISTINCT api_id, base_stage FROM series`)
	if err != nil {
		return 0, err
	}
	var dead []StageID
	for rows.Next() {
		var id StageID
		if err := rows.Scan(&id.APIID, &id.Stage); err != nil {
			rows.Close()
			return 0, err
		}
		if !live[id] {
			dead = append(dead, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(dead) == 0 {
		return 0, err
	}
	n := 0
	err = d.write(func(w *writer) error {
		for _, id := range dead {
			if _, err := w.tx.Exec(`DELETE FROM points WHERE series_id IN (SELECT id FROM series WHERE api_id = ? AND base_stage = ?)`, id.APIID, id.Stage); err != nil {
				return err
			}
			res, err := w.tx.Exec(`DELETE FROM series WHERE api_id = ? AND base_stage = ?`, id.APIID, id.Stage)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// trim deletes minutes before oldest, then the oldest minutes until the
// used pages fit maxBytes, then series left without points. It returns
// the number of series deleted.
func (d *db) trim(oldest int64, maxBytes int64) (int, error) {
	if _, err := d.sql.Exec(`DELETE FROM points WHERE minute < ?`, oldest); err != nil {
		return 0, err
	}
	for range 64 { // each round drops an hour; bounded so a failing cap cannot loop
		used, err := d.usedBytes()
		if err != nil {
			return 0, err
		}
		if used <= maxBytes {
			break
		}
		var first sql.NullInt64
		if err := d.sql.QueryRow(`SELECT MIN(minute) FROM points`).Scan(&first); err != nil || !first.Valid {
			break
		}
		if _, err := d.sql.Exec(`DELETE FROM points WHERE minute < ?`, first.Int64+60); err != nil {
			return 0, err
		}
	}
	res, err := d.sql.Exec(`DELETE FROM series WHERE NOT EXISTS (SELECT 1 FROM points WHERE series_id = series.id)`)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// usedBytes is the size of the database's pages in use (free pages are
// reused by later writes, so they do not count against the cap).
func (d *db) usedBytes() (int64, error) {
	var pages, free, size int64
	if err := d.sql.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, err
	}
	if err := d.sql.QueryRow(`PRAGMA freelist_count`).Scan(&free); err != nil {
		return 0, err
	}
	if err := d.sql.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
		return 0, err
	}
	return (pages - free) * size, nil
}

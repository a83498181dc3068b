package logstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// GroupQuery selects log groups (DescribeLogGroups).
type GroupQuery struct {
	Prefix  string // logGroupNamePrefix
	Pattern string // logGroupNamePattern: case-insensitive substring
	After   string // continue after this name (the next token)
	Limit   int
}

// Groups lists groups by name. more reports whether another page exists.
func (s *Store) Groups(ctx context.Context, q GroupQuery) (groups []Group, more bool, err error) {
	where := []string{"name > ?"}
	args := []any{q.After}
	if q.Prefix != "" {
		where = append(where, "substr(name, 1, ?) = ?")
		args = append(args, len(q.Prefix), q.Prefix)
	}
	if q.Pattern != "" {
		where = append(where, "instr(lower(name), lower(?)) > 0")
		args = append(args, q.Pattern)
	}
	args = append(args, q.Limit+1)
	rows, err := s.db.QueryContext(ctx, `SELECT name, created, COALESCE(retention_days, 0), stored_bytes FROM log_groups WHERE `+
		strings.Join(where, " AND ")+` ORDER BY name LIMIT ?`, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.Name, &g.Created, &g.RetentionDays, &g.StoredBytes); err != nil {
			return nil, false, err
		}
		groups = append(groups, g)
	}
	if len(groups) > q.Limit {
		return groups[:q.Limit], true, rows.Err()
	}
	return groups, false, rows.Err()
}

// Stream orderings (DescribeLogStreams orderBy).
const (
	OrderByName          = "LogStreamName"
	OrderByLastEventTime = "LastEventTime"
)

// StreamQuery selects a group's streams.
type StreamQuery struct {
	Group      string
	Prefix     string
	OrderBy    string // OrderByName (default) or OrderByLastEventTime
	Descending bool
	After      string // the token of the last stream of the previous page
	Limit      int
}

// Streams lists a group's streams. next is the token for the next page,
// empty at the end.
func (s *Store) Streams(ctx context.Context, q StreamQuery) (streams []Stream, next string, err error) {
	var gid int64
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM log_groups WHERE name = ?`, q.Group).Scan(&gid); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, "", ErrGroupNotFound
		}
		return nil, "", err
	}
	where := []string{"group_id = ?"}
	args := []any{gid}
	if q.Prefix != "" {
		where = append(where, "substr(name, 1, ?) = ?")
		args = append(args, len(q.Prefix), q.Prefix)
	}
	dir, cmp := "ASC", ">"
	if q.Descending {
		dir, cmp = "DESC", "<"
	}
	var order string
	if q.OrderBy == OrderByLastEventTime {
		// Streams without events sort as time 0.
		order = "COALESCE(last_event, 0) " + dir + ", id " + dir
		if q.After != "" {
			t, id, ok := parsePair(q.After)
			if !ok {
				return nil, "", ErrBadToken
			}
			where = append(where, "(COALESCE(last_event, 0), id) "+cmp+" (?, ?)")
			args = append(args, t, id)
		}
	} else {
		order = "name " + dir
		if q.After != "" {
			where = append(where, "name "+cmp+" ?")
			args = append(args, q.After)
		}
	}
	args = append(args, q.Limit+1)
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created, COALESCE(first_event, 0), COALESCE(last_event, 0), COALESCE(last_ingestion, 0)
		FROM log_streams WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var st Stream
		var id int64
		if err := rows.Scan(&id, &st.Name, &st.Created, &st.FirstEvent, &st.LastEvent, &st.LastIngestion); err != nil {
			return nil, "", err
		}
		streams = append(streams, st)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if len(streams) <= q.Limit {
		return streams, "", nil
	}
	streams = streams[:q.Limit]
	last := streams[len(streams)-1]
	if q.OrderBy == OrderByLastEventTime {
		return streams, formatPair(last.LastEvent, ids[q.Limit-1]), nil
	}
	return streams, last.Name, nil
}

// ErrBadToken is a pagination token this store did not issue.
var ErrBadToken = errors.New("The specified nextToken is invalid.")

// position is a place in a stream or group: the event (time, block id,
// index of the event within the block).
type position struct {
	time, id int64
	line     int
}

func (p position) String() string {
	return strconv.FormatInt(p.time, 10) + "/" + strconv.FormatInt(p.id, 10) + "/" + strconv.Itoa(p.line)
}

func parsePosition(s string) (position, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return position{}, false
	}
	t, err1 := strconv.ParseInt(parts[0], 10, 64)
	id, err2 := strconv.ParseInt(parts[1], 10, 64)
	line, err3 := strconv.Atoi(parts[2])
	return position{t, id, line}, err1 == nil && err2 == nil && err3 == nil && line >= 0
}

// less orders positions as events are ordered.
func (p position) less(q position) bool {
	if p.time != q.time {
		return p.time < q.time
	}
	if p.id != q.id {
		return p.id < q.id
	}
	return p.line < q.line
}

func formatPair(a, b int64) string { return strconv.FormatInt(a, 10) + "/" + strconv.FormatInt(b, 10) }

func parsePair(s string) (int64, int64, bool) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, false
	}
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	return x, y, err1 == nil && err2 == nil
}

// maxLinesPerRecord bounds the event index within a block so event ids
// stay unique (a block holds one batch: at most 10000 events from
// PutLogEvents, a few thousand from the gateway's recorder).
const maxLinesPerRecord = 100000

// EventID is the id FilterLogEvents reports for the line-th event of a
// block: unique within the store, digits only like AWS's.
func EventID(record int64, line int) string {
	return strconv.FormatInt(record*maxLinesPerRecord+int64(line), 10)
}

// splitRecord calls fn for each event message of a record, in order or
// in reverse; fn returns false to stop.
func splitRecord(msg string, reverse bool, fn func(line int, m string) bool) {
	if !reverse {
		for line := 0; ; line++ {
			i := strings.IndexByte(msg, Sep)
			if i < 0 {
				fn(line, msg)
				return
			}
			if !fn(line, msg[:i]) {
				return
			}
			msg = msg[i+1:]
		}
	}
	line := strings.Count(msg, string(Sep))
	for ; ; line-- {
		i := strings.LastIndexByte(msg, Sep)
		if i < 0 {
			fn(line, msg)
			return
		}
		if !fn(line, msg[i+1:]) {
			return
		}
		msg = msg[:i]
	}
}

// GetQuery reads one stream (GetLogEvents).
type GetQuery struct {
	Group, Stream string
	Start, End    int64 // Unix ms; End 0 = no end. Start inclusive, End exclusive.
	StartFromHead bool
	Token         string // "f/..." or "b/..." from a previous page
	Limit         int
	MaxBytes      int // response size budget (messages + overhead)
}

// GetResult is one page of GetLogEvents.
type GetResult struct {
	Events                  []StoredEvent
	ForwardToken, BackToken string
}

// Get reads a page of one stream. Following ForwardToken reads newer
// events; when none remain it returns the same token again, which is how
// CloudWatch clients know they are at the end.
func (s *Store) Get(ctx context.Context, q GetQuery) (GetResult, error) {
	var gid, sid int64
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM log_groups WHERE name = ?`, q.Group).Scan(&gid); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return GetResult{}, ErrGroupNotFound
		}
		return GetResult{}, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM log_streams WHERE group_id = ? AND name = ?`, gid, q.Stream).Scan(&sid); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return GetResult{}, ErrStreamNotFound
		}
		return GetResult{}, err
	}
	forward := q.StartFromHead
	var cursor *position
	if q.Token != "" {
		dir, rest, _ := strings.Cut(q.Token, "/")
		p, ok := parsePosition(rest)
		if !ok || dir != "f" && dir != "b" {
			return GetResult{}, ErrBadToken
		}
		forward = dir == "f"
		cursor = &p
	}
	where := []string{"group_id = ?", "stream_id = ?", "ts_max >= ?"}
	args := []any{gid, sid, q.Start}
	if q.End > 0 {
		where = append(where, "ts_min < ?")
		args = append(args, q.End)
	}
	order := "ts_min ASC, id ASC"
	if cursor != nil {
		// The cursor's own block may still hold events on the far side.
		if forward {
			where = append(where, "ts_max >= ?")
		} else {
			where = append(where, "ts_min <= ?")
		}
		args = append(args, cursor.time)
	}
	if !forward {
		order = "ts_max DESC, id DESC"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, ts_min, ts_max, ingested, data, '' FROM log_blocks WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+order, args...)
	if err != nil {
		return GetResult{}, err
	}
	defer rows.Close()
	var evs []StoredEvent
	var first, last position // in reading order
	size := 0
	err = mergeBlocks(rows, !forward, func(e *blockEvent) bool {
		p := e.pos
		if p.time < q.Start || q.End > 0 && p.time >= q.End {
			return true
		}
		if cursor != nil && (forward && !cursor.less(p) || !forward && !p.less(*cursor)) {
			return true // at or before the cursor
		}
		size += len(e.msg) + EventOverhead
		if len(evs) >= q.Limit || q.MaxBytes > 0 && size > q.MaxBytes && len(evs) > 0 {
			return false
		}
		if len(evs) == 0 {
			first = p
		}
		last = p
		evs = append(evs, StoredEvent{ID: p.id, Line: p.line, Stream: q.Stream, Time: p.time, Ingestion: e.ingested, Message: e.msg})
		return true
	})
	if err != nil {
		return GetResult{}, err
	}
	if !forward {
		for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
			evs[i], evs[j] = evs[j], evs[i]
		}
		first, last = last, first
	}
	res := GetResult{Events: evs}
	switch {
	case len(evs) > 0:
		res.ForwardToken = "f/" + last.String()
		res.BackToken = "b/" + first.String()
	case cursor != nil:
		// Nothing beyond the cursor: hand the same place back.
		res.ForwardToken = "f/" + cursor.String()
		res.BackToken = "b/" + cursor.String()
	default:
		// An empty range: forward from the start, backward from the end.
		res.ForwardToken = "f/" + position{q.Start - 1, 0, 0}.String()
		res.BackToken = "b/" + position{q.Start, 0, 0}.String()
	}
	return res, nil
}

// FilterQuery searches a group (FilterLogEvents).
type FilterQuery struct {
	Group        string
	Streams      []string // logStreamNames
	StreamPrefix string
	Start, End   int64 // Unix ms, both inclusive; End 0 = no end
	Pattern      *Pattern
	Token        string
	Limit        int
	MaxBytes     int
	// MaxScan bounds the events one call examines; when reached the
	// result has a Next token and possibly no events, as CloudWatch does.
	MaxScan int
}

// FilterResult is one page of FilterLogEvents.
type FilterResult struct {
	Events []StoredEvent
	Next   string // empty when the search is complete
}

// Filter searches a group's events in time order.
func (s *Store) Filter(ctx context.Context, q FilterQuery) (FilterResult, error) {
	var gid int64
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM log_groups WHERE name = ?`, q.Group).Scan(&gid); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return FilterResult{}, ErrGroupNotFound
		}
		return FilterResult{}, err
	}
	where := []string{"b.group_id = ?", "b.ts_max >= ?"}
	args := []any{gid, q.Start}
	if q.End > 0 {
		where = append(where, "b.ts_min <= ?")
		args = append(args, q.End)
	}
	var cursor *position
	if q.Token != "" {
		p, ok := parsePosition(q.Token)
		if !ok {
			return FilterResult{}, ErrBadToken
		}
		cursor = &p
		where = append(where, "b.ts_max >= ?")
		args = append(args, p.time)
	}
	if len(q.Streams) > 0 {
		where = append(where, "s.name IN (?"+strings.Repeat(",?", len(q.Streams)-1)+")")
		for _, n := range q.Streams {
			args = append(args, n)
		}
	}
	if q.StreamPrefix != "" {
		where = append(where, "substr(s.name, 1, ?) = ?")
		args = append(args, len(q.StreamPrefix), q.StreamPrefix)
	}
	scan := q.MaxScan
	if scan <= 0 {
		scan = DefaultMaxScan
	}
	rows, err := s.db.QueryContext(ctx, `SELECT b.id, b.ts_min, b.ts_max, b.ingested, b.data, s.name
		FROM log_blocks b JOIN log_streams s ON s.id = b.stream_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY b.ts_min, b.id`, args...)
	if err != nil {
		return FilterResult{}, fmt.Errorf("logstore: filter: %w", err)
	}
	defer rows.Close()
	var res FilterResult
	var scanned, size int
	var last position // the last event examined: where the next page starts
	if cursor != nil {
		last = *cursor
	}
	more := false
	err = mergeBlocks(rows, false, func(e *blockEvent) bool {
		p := e.pos
		if p.time < q.Start || q.End > 0 && p.time > q.End {
			return true
		}
		if cursor != nil && !cursor.less(p) {
			return true
		}
		if scanned == scan {
			more = true // bounded: continue on the next call
			return false
		}
		scanned++
		if q.Pattern != nil && !q.Pattern.Match(e.msg) {
			last = p
			return true
		}
		size += len(e.msg) + EventOverhead
		if len(res.Events) >= q.Limit || q.MaxBytes > 0 && size > q.MaxBytes && len(res.Events) > 0 {
			more = true // a page is full and at least this event remains
			return false
		}
		res.Events = append(res.Events, StoredEvent{ID: p.id, Line: p.line, Stream: e.stream, Time: p.time, Ingestion: e.ingested, Message: e.msg})
		last = p
		return true
	})
	if err != nil {
		return FilterResult{}, err
	}
	if more {
		res.Next = last.String()
	}
	return res, nil
}

// DefaultMaxScan is how many events one Filter call examines at most
// unless FilterQuery.MaxScan says otherwise.
const DefaultMaxScan = 1000000

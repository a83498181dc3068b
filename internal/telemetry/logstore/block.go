package logstore

import (
	"bytes"
	"compress/flate"
	"container/heap"
	"database/sql"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync"
)

// A block's data is its records, each as uvarint(time - block's ts_min),
// uvarint(prefix length), prefix, uvarint(rest length), rest: the
// record's events separated by Sep, without the prefix all of them share
// (a request's execution log lines all start "(requestId) ": a quarter of
// their bytes). The whole is compressed with DEFLATE at BestSpeed: on
// request logs it runs at ~500 MB/s in the standard library and shrinks
// them ~10x, so the bytes SQLite writes twice (WAL, then database) become
// a small fraction.

// encodeBlock returns the stored form of events (s.mu held: the encoder
// and buffers are the store's).
func (s *Store) encodeBlock(tsMin int64, events []*Event) ([]byte, error) {
	raw := s.raw[:0]
	for _, e := range events {
		raw = binary.AppendUvarint(raw, uint64(e.Time-tsMin))
		prefix := sharedPrefix(e.Message)
		raw = binary.AppendUvarint(raw, uint64(len(prefix)))
		raw = append(raw, prefix...)
		n := len(raw)
		raw = binary.AppendUvarint(raw, 0) // rest length, patched below when > 0
		start := len(raw)
		msg := e.Message
		for {
			i := strings.IndexByte(msg, Sep)
			if i < 0 {
				raw = append(raw, msg[len(prefix):]...)
				break
			}
			raw = append(raw, msg[len(prefix):i+1]...)
			msg = msg[i+1:]
		}
		raw = patchLength(raw, n, start)
	}
	s.raw = raw
	s.packed.Reset()
	if s.deflate == nil {
		w, err := flate.NewWriter(&s.packed, flate.BestSpeed)
		if err != nil {
			return nil, err
		}
		s.deflate = w
	} else {
		s.deflate.Reset(&s.packed)
	}
	if _, err := s.deflate.Write(raw); err != nil {
		return nil, err
	}
	if err := s.deflate.Close(); err != nil {
		return nil, err
	}
	// The caller's Exec binds (copies) the bytes before it returns, so
	// the buffer is reused for the next block.
	return s.packed.Bytes(), nil
}

// sharedPrefix returns "(...) " when every event of a record starts with
// it, else "".
func sharedPrefix(rec string) string {
	if len(rec) == 0 || rec[0] != '(' || strings.IndexByte(rec, Sep) < 0 {
		return ""
	}
	end := strings.Index(rec[:min(len(rec), 80)], ") ")
	if end < 0 {
		return ""
	}
	prefix := rec[:end+2]
	for rest := rec; ; {
		if !strings.HasPrefix(rest, prefix) {
			return ""
		}
		i := strings.IndexByte(rest, Sep)
		if i < 0 {
			return prefix
		}
		rest = rest[i+1:]
	}
}

// patchLength rewrites the one-byte uvarint at raw[at] (written before
// its bytes, from start on, were known) with their real length.
func patchLength(raw []byte, at, start int) []byte {
	n := len(raw) - start
	var v [binary.MaxVarintLen64]byte
	w := binary.PutUvarint(v[:], uint64(n))
	if w == 1 {
		raw[at] = v[0]
		return raw
	}
	raw = append(raw, v[:w-1]...) // room for the longer varint
	copy(raw[start+w-1:], raw[start:len(raw)-(w-1)])
	copy(raw[at:], v[:w])
	return raw
}

var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

var errCorruptBlock = errors.New("logstore: corrupt block")

// decodeRecords calls fn for each record of a block, in stored order.
// Messages are substrings of one string per block.
func decodeRecords(data []byte, tsMin int64, fn func(ts int64, msg string)) error {
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(data), nil); err != nil {
		return err
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	all := string(raw)
	for i := 0; i < len(all); {
		dt, n := binary.Uvarint(raw[i:])
		if n <= 0 {
			return errCorruptBlock
		}
		i += n
		var prefix, rest string
		for _, part := range [...]*string{&prefix, &rest} {
			size, n := binary.Uvarint(raw[i:])
			if n <= 0 || uint64(len(all)-i-n) < size {
				return errCorruptBlock
			}
			i += n
			*part = all[i : i+int(size)]
			i += int(size)
		}
		rec := rest
		if prefix != "" {
			rec = prefix + strings.ReplaceAll(rest, string(Sep), string(Sep)+prefix)
		}
		fn(tsMin+int64(dt), rec)
	}
	return nil
}

// decodeBlock calls fn for each event of a block, in stored order, with
// its timestamp and index within the block.
func decodeBlock(data []byte, tsMin int64, fn func(ts int64, line int, msg string)) error {
	line := 0
	return decodeRecords(data, tsMin, func(ts int64, rec string) {
		splitRecord(rec, false, func(_ int, m string) bool {
			fn(ts, line, m)
			line++
			return true
		})
	})
}

// blockEvent is an event read back, with its place in event order.
type blockEvent struct {
	pos      position
	ingested int64
	stream   string
	msg      string
}

// eventHeap orders events by position (descending when desc).
type eventHeap struct {
	items []blockEvent
	desc  bool
}

func (h *eventHeap) Len() int { return len(h.items) }
func (h *eventHeap) Less(i, j int) bool {
	if h.desc {
		return h.items[j].pos.less(h.items[i].pos)
	}
	return h.items[i].pos.less(h.items[j].pos)
}
func (h *eventHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *eventHeap) Push(x any)    { h.items = append(h.items, x.(blockEvent)) }
func (h *eventHeap) Pop() any {
	n := len(h.items) - 1
	e := h.items[n]
	h.items = h.items[:n]
	return e
}

// mergeBlocks reads block rows (id, ts_min, ts_max, ingested, data,
// stream name), ordered by (ts_min, id) — or by (ts_max, id) descending
// when desc — and calls fn with their events in event order (newest first
// when desc) until fn returns false. Blocks of different streams, or of
// out-of-order writes, overlap in time: an event is passed on only once
// no later block can hold an earlier one, i.e. when it is older than the
// next block's ts_min (newer than its ts_max when desc).
func mergeBlocks(rows *sql.Rows, desc bool, fn func(e *blockEvent) bool) error {
	h := &eventHeap{desc: desc}
	emit := func(bound int64, all bool) bool {
		for len(h.items) > 0 {
			top := h.items[0]
			if !all && (!desc && top.pos.time >= bound || desc && top.pos.time <= bound) {
				return true
			}
			heap.Pop(h)
			if !fn(&top) {
				return false
			}
		}
		return true
	}
	for rows.Next() {
		var id, tsMin, tsMax, ingested int64
		var data []byte
		var stream string
		if err := rows.Scan(&id, &tsMin, &tsMax, &ingested, &data, &stream); err != nil {
			return err
		}
		bound := tsMin
		if desc {
			bound = tsMax
		}
		if !emit(bound, false) {
			return nil
		}
		err := decodeBlock(data, tsMin, func(ts int64, line int, msg string) {
			heap.Push(h, blockEvent{position{ts, id, line}, ingested, stream, msg})
		})
		if err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	emit(0, true)
	return nil
}

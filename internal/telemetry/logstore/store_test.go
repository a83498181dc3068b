package logstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func open(t *testing.T, opts Options) (*Store, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2024, 3, 9, 12, 0, 0, 0, time.UTC)}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	s, err := Open(filepath.Join(t.TempDir(), "logs.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c
}

func messages(evs []StoredEvent) string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Message)
	}
	return strings.Join(out, ",")
}

func TestGroupLifecycle(t *testing.T) {
	s, _ := open(t, Options{})
	if err := s.CreateGroup(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateGroup(ctx, "g1"); !errors.Is(err, ErrGroupExists) {
		t.Fatalf("duplicate group: %v", err)
	}
	if err := s.CreateStream(ctx, "g1", "s1"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateStream(ctx, "g1", "s1"); !errors.Is(err, ErrStreamExists) {
		t.Fatalf("duplicate stream: %v", err)
	}
	if err := s.CreateStream(ctx, "nope", "s1"); !errors.Is(err, ErrGroupNotFound) {
		t.Fatalf("stream in missing group: %v", err)
	}
	if err := s.Put(ctx, "g1", "s1", []Event{{Time: 1, Message: "hello"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "g1", "s2", []Event{{Time: 1, Message: "x"}}); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("put to missing stream: %v", err)
	}
	gs, _, err := s.Groups(ctx, GroupQuery{Limit: 50})
	if err != nil || len(gs) != 1 || gs[0].StoredBytes != 5+EventOverhead {
		t.Fatalf("groups %+v %v", gs, err)
	}
	if err := s.DeleteGroup(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteGroup(ctx, "g1"); !errors.Is(err, ErrGroupNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	if s.StoredBytes() != 0 {
		t.Errorf("stored bytes after delete: %d", s.StoredBytes())
	}
	// The id caches must not point at the deleted group.
	if err := s.Append(ctx, []Event{{Group: "g1", Stream: "s1", Time: 2, Message: "again"}}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, GetQuery{Group: "g1", Stream: "s1", Limit: 10, StartFromHead: true})
	if err != nil || messages(r.Events) != "again" {
		t.Fatalf("after recreate: %+v %v", r, err)
	}
}

func TestAppendCreatesGroupsAndStreams(t *testing.T) {
	s, c := open(t, Options{})
	now := c.Now().UnixMilli()
	err := s.Append(ctx, []Event{
		{Group: "A", Stream: "x", Time: now + 5, Message: "a1"},
		{Group: "A", Stream: "x", Time: now + 1, Message: "a2"},
		{Group: "A", Stream: "y", Time: now + 3, Message: "a3"},
		{Group: "B", Stream: "x", Time: now, Message: "b1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	streams, next, err := s.Streams(ctx, StreamQuery{Group: "A", Limit: 50})
	if err != nil || next != "" || len(streams) != 2 {
		t.Fatalf("streams %+v %q %v", streams, next, err)
	}
	x := streams[0]
	if x.Name != "x" || x.FirstEvent != now+1 || x.LastEvent != now+5 || x.LastIngestion != now {
		t.Errorf("stream x %+v", x)
	}
	byTime, _, _ := s.Streams(ctx, StreamQuery{Group: "A", OrderBy: OrderByLastEventTime, Descending: true, Limit: 50})
	if byTime[0].Name != "x" || byTime[1].Name != "y" {
		t.Errorf("by last event time desc: %+v", byTime)
	}
	if _, _, err := s.Streams(ctx, StreamQuery{Group: "C", Limit: 50}); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("streams of missing group: %v", err)
	}
}

func TestGroupAndStreamPaging(t *testing.T) {
	s, _ := open(t, Options{})
	var evs []Event
	for i := range 5 {
		evs = append(evs, Event{Group: fmt.Sprintf("/aws/g%d", i), Stream: "s", Time: int64(i), Message: "m"})
		evs = append(evs, Event{Group: "one", Stream: fmt.Sprintf("s%d", i), Time: int64(10 - i), Message: "m"})
	}
	if err := s.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	var names []string
	after := ""
	for {
		page, more, err := s.Groups(ctx, GroupQuery{Prefix: "/aws/", After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page {
			names = append(names, g.Name)
		}
		if !more {
			break
		}
		after = page[len(page)-1].Name
	}
	if strings.Join(names, ",") != "/aws/g0,/aws/g1,/aws/g2,/aws/g3,/aws/g4" {
		t.Errorf("group pages: %v", names)
	}
	if gs, _, _ := s.Groups(ctx, GroupQuery{Pattern: "G3", Limit: 50}); len(gs) != 1 || gs[0].Name != "/aws/g3" {
		t.Errorf("pattern: %+v", gs)
	}
	names = nil
	token := ""
	for {
		page, next, err := s.Streams(ctx, StreamQuery{Group: "one", OrderBy: OrderByLastEventTime, After: token, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range page {
			names = append(names, st.Name)
		}
		if next == "" {
			break
		}
		token = next
	}
	if strings.Join(names, ",") != "s4,s3,s2,s1,s0" {
		t.Errorf("stream pages by time: %v", names)
	}
}

func TestGetPaging(t *testing.T) {
	s, _ := open(t, Options{})
	var evs []Event
	for i := range 7 {
		evs = append(evs, Event{Group: "g", Stream: "s", Time: 1000 + int64(i/2), Message: fmt.Sprint(i)})
	}
	if err := s.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	// From the head, forward, three at a time, until the token repeats.
	var got []string
	r, err := s.Get(ctx, GetQuery{Group: "g", Stream: "s", StartFromHead: true, Limit: 3})
	for err == nil {
		got = append(got, messages(r.Events))
		prev := r.ForwardToken
		r, err = s.Get(ctx, GetQuery{Group: "g", Stream: "s", Token: prev, Limit: 3})
		if err == nil && r.ForwardToken == prev {
			if len(r.Events) != 0 {
				t.Errorf("same token with events %v", r.Events)
			}
			break
		}
	}
	if err != nil || strings.Join(got, "|") != "0,1,2|3,4,5|6" {
		t.Fatalf("forward pages %q %v", got, err)
	}
	// Default: the newest events, then backwards.
	r, _ = s.Get(ctx, GetQuery{Group: "g", Stream: "s", Limit: 3})
	if messages(r.Events) != "4,5,6" {
		t.Errorf("tail page %q", messages(r.Events))
	}
	r, _ = s.Get(ctx, GetQuery{Group: "g", Stream: "s", Token: r.BackToken, Limit: 3})
	if messages(r.Events) != "1,2,3" {
		t.Errorf("backward page %q", messages(r.Events))
	}
	// Start inclusive, end exclusive.
	r, _ = s.Get(ctx, GetQuery{Group: "g", Stream: "s", Start: 1001, End: 1003, StartFromHead: true, Limit: 10})
	if messages(r.Events) != "2,3,4,5" {
		t.Errorf("time range %q", messages(r.Events))
	}
	if _, err := s.Get(ctx, GetQuery{Group: "g", Stream: "nope", Limit: 1}); !errors.Is(err, ErrStreamNotFound) {
		t.Errorf("missing stream: %v", err)
	}
	if _, err := s.Get(ctx, GetQuery{Group: "g", Stream: "s", Token: "garbage", Limit: 1}); !errors.Is(err, ErrBadToken) {
		t.Errorf("bad token: %v", err)
	}
}

func TestFilter(t *testing.T) {
	s, _ := open(t, Options{})
	lines := []string{
		"(r1) Method completed with status: 200",
		"(r2) Execution failed due to a timeout error",
		"(r2) Method completed with status: 504",
		`{"requestId":"r3","status":"404"}`,
		"(r4) Received response. Status: 200, Integration latency: 12 ms",
	}
	var evs []Event
	for i, l := range lines {
		stream := "exec"
		if strings.HasPrefix(l, "{") {
			stream = "access"
		}
		evs = append(evs, Event{Group: "g", Stream: stream, Time: 100 + int64(i), Message: l})
	}
	if err := s.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pattern string
		q       FilterQuery
		want    string
	}{
		{"everything", "", FilterQuery{}, "0,1,2,3,4"},
		{"one term", "completed", FilterQuery{}, "0,2"},
		{"terms are ANDed", "completed 504", FilterQuery{}, "2"},
		{"case-sensitive", "COMPLETED", FilterQuery{}, ""},
		{"quoted phrase", `"timeout error"`, FilterQuery{}, "1"},
		{"phrase and term", `"Status: 200" Integration`, FilterQuery{}, "4"},
		{"optional terms are ORed", "?timeout ?404", FilterQuery{}, "1,3"},
		{"excluded term", "status -504", FilterQuery{}, "0,3"},
		{"regex", `%status: 5\d\d%`, FilterQuery{}, "2"},
		{"stream names", "", FilterQuery{Streams: []string{"access"}}, "3"},
		{"stream prefix", "", FilterQuery{StreamPrefix: "ex"}, "0,1,2,4"},
		{"time range inclusive", "", FilterQuery{Start: 101, End: 103}, "1,2,3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CompilePattern(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			q := tt.q
			q.Group, q.Pattern, q.Limit = "g", p, 100
			r, err := s.Filter(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var idx []string
			for _, e := range r.Events {
				for i, l := range lines {
					if e.Message == l {
						idx = append(idx, fmt.Sprint(i))
					}
				}
			}
			if strings.Join(idx, ",") != tt.want || r.Next != "" {
				t.Errorf("got %v next %q, want %s", idx, r.Next, tt.want)
			}
		})
	}
	// Paging: two per page, following Next.
	var pages []string
	q := FilterQuery{Group: "g", Limit: 2}
	for {
		r, err := s.Filter(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, fmt.Sprint(len(r.Events)))
		if r.Next == "" {
			break
		}
		q.Token = r.Next
	}
	if strings.Join(pages, ",") != "2,2,1" {
		t.Errorf("pages %v", pages)
	}
	// A bounded scan returns a token even without matches.
	p, _ := CompilePattern("?nothing ?matches")
	r, err := s.Filter(ctx, FilterQuery{Group: "g", Pattern: p, Limit: 10, MaxScan: 2})
	if err != nil || len(r.Events) != 0 || r.Next == "" {
		t.Errorf("bounded scan: %+v %v", r, err)
	}
}

func TestCompilePatternRejects(t *testing.T) {
	for _, p := range []string{`{ $.status = 200 }`, `[ip, user]`, `"unterminated`, `%(%`} {
		if _, err := CompilePattern(p); err == nil {
			t.Errorf("CompilePattern(%q) accepted", p)
		}
	}
}

func TestRetention(t *testing.T) {
	s, c := open(t, Options{MaxAge: 48 * time.Hour})
	day := int64(24 * time.Hour / time.Millisecond)
	now := c.Now().UnixMilli()
	var evs []Event
	for _, g := range []string{"kept-by-policy", "default-cap"} {
		for _, age := range []int64{0, 1, 3, 10} {
			evs = append(evs, Event{Group: g, Stream: "s", Time: now - age*day - 1, Message: fmt.Sprint(age)})
		}
	}
	if err := s.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRetention(ctx, "kept-by-policy", 5); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRetention(ctx, "missing", 5); !errors.Is(err, ErrGroupNotFound) {
		t.Fatalf("retention of missing group: %v", err)
	}
	if err := s.Enforce(ctx); err != nil {
		t.Fatal(err)
	}
	read := func(g string) string {
		r, err := s.Get(ctx, GetQuery{Group: g, Stream: "s", StartFromHead: true, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return messages(r.Events)
	}
	if got := read("kept-by-policy"); got != "3,1,0" {
		t.Errorf("5-day policy kept %q", got)
	}
	if got := read("default-cap"); got != "1,0" {
		t.Errorf("48h default cap kept %q", got)
	}
	gs, _, _ := s.Groups(ctx, GroupQuery{Limit: 10})
	for _, g := range gs {
		if g.StoredBytes != int64(strings.Count(read(g.Name), ",")+1)*(1+EventOverhead) {
			t.Errorf("%s stored bytes %d", g.Name, g.StoredBytes)
		}
		if g.Name == "kept-by-policy" && g.RetentionDays != 5 {
			t.Errorf("retention days %d", g.RetentionDays)
		}
	}
	// Time passes: the policy now removes the (then 5-day-old) 1-day-old
	// event too.
	c.Add(4 * 24 * time.Hour)
	s.Enforce(ctx)
	if got := read("kept-by-policy"); got != "0" {
		t.Errorf("after 4 more days kept %q", got)
	}
}

func TestSizeCap(t *testing.T) {
	const msg = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" // 100 bytes
	per := int64(len(msg) + EventOverhead)
	s, c := open(t, Options{MaxBytes: 50 * per})
	now := c.Now().UnixMilli()
	for batch := range 10 {
		var evs []Event
		for i := range 10 {
			evs = append(evs, Event{Group: "g", Stream: "s", Time: now + int64(batch*10+i), Message: msg})
		}
		if err := s.Append(ctx, evs); err != nil {
			t.Fatal(err)
		}
		s.Enforce(ctx) // what the janitor does when a write goes over the cap
	}
	if s.StoredBytes() > 50*per {
		t.Fatalf("stored %d bytes over the cap %d", s.StoredBytes(), 50*per)
	}
	r, _ := s.Get(ctx, GetQuery{Group: "g", Stream: "s", StartFromHead: true, Limit: 1000})
	if int64(len(r.Events))*per != s.StoredBytes() {
		t.Errorf("%d events but %d bytes counted", len(r.Events), s.StoredBytes())
	}
	// The newest survive.
	if len(r.Events) < 40 || r.Events[len(r.Events)-1].Time != now+99 {
		t.Errorf("kept %d events, newest %+v", len(r.Events), r.Events[len(r.Events)-1])
	}
}

func TestReopenKeepsSize(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "logs.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Append(ctx, []Event{{Group: "g", Stream: "s", Time: time.Now().UnixMilli(), Message: "abc"}})
	s.Close()
	s, err = Open(filepath.Join(dir, "logs.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.StoredBytes() != 3+EventOverhead {
		t.Errorf("stored bytes after reopen %d", s.StoredBytes())
	}
}

// TestRecords stores several events per record (one request's execution
// log) and reads them back across record boundaries in every direction.
func TestRecords(t *testing.T) {
	s, _ := open(t, Options{})
	err := s.Append(ctx, []Event{
		{Group: "g", Stream: "s", Time: 10, Message: "a1\x00a2\x00a3"},
		{Group: "g", Stream: "s", Time: 10, Message: "b1"},
		{Group: "g", Stream: "s", Time: 11, Message: "c1\x00c2 ERROR\x00c3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len("a1a2a3b1c1c2 ERRORc3") + 7*EventOverhead); s.StoredBytes() != want {
		t.Errorf("stored bytes %d, want %d", s.StoredBytes(), want)
	}
	page := func(q GetQuery) ([]string, GetResult) {
		q.Group, q.Stream = "g", "s"
		r, err := s.Get(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range r.Events {
			out = append(out, e.Message)
		}
		return out, r
	}
	var all []string
	got, r := page(GetQuery{StartFromHead: true, Limit: 2})
	for len(got) > 0 {
		all = append(all, strings.Join(got, ","))
		got, r = page(GetQuery{Token: r.ForwardToken, Limit: 2})
	}
	if strings.Join(all, "|") != "a1,a2|a3,b1|c1,c2 ERROR|c3" {
		t.Errorf("forward pages %q", all)
	}
	all = nil
	got, r = page(GetQuery{Limit: 3})
	for len(got) > 0 {
		all = append(all, strings.Join(got, ","))
		got, r = page(GetQuery{Token: r.BackToken, Limit: 3})
	}
	if strings.Join(all, "|") != "c1,c2 ERROR,c3|a2,a3,b1|a1" {
		t.Errorf("backward pages %q", all)
	}
	// Filter matches single events inside records, with unique ids.
	p, _ := CompilePattern("ERROR")
	fr, err := s.Filter(ctx, FilterQuery{Group: "g", Pattern: p, Limit: 10})
	if err != nil || len(fr.Events) != 1 || fr.Events[0].Message != "c2 ERROR" {
		t.Fatalf("filter %+v %v", fr, err)
	}
	ids := map[string]bool{}
	q := FilterQuery{Group: "g", Limit: 1}
	var msgs []string
	for {
		fr, err := s.Filter(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range fr.Events {
			ids[EventID(e.ID, e.Line)] = true
			msgs = append(msgs, e.Message)
		}
		if fr.Next == "" {
			break
		}
		q.Token = fr.Next
	}
	if len(ids) != 7 || strings.Join(msgs, ",") != "a1,a2,a3,b1,c1,c2 ERROR,c3" {
		t.Errorf("filter pages %q, %d ids", msgs, len(ids))
	}
	if CleanMessage("a\x00b") != "a\uFFFDb" {
		t.Error("CleanMessage")
	}
}

// TestLargeBatch goes through the multi-row INSERT path (full chunks and
// a remainder) and across two groups.
func TestLargeBatch(t *testing.T) {
	s, _ := open(t, Options{})
	var evs []Event
	for i := range 150 {
		evs = append(evs, Event{Group: fmt.Sprintf("g%d", i%2), Stream: "s", Time: int64(i), Message: fmt.Sprint(i)})
	}
	if err := s.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	for g, first := range map[string]string{"g0": "0", "g1": "1"} {
		r, err := s.Filter(ctx, FilterQuery{Group: g, Limit: 1000})
		if err != nil || len(r.Events) != 75 || r.Events[0].Message != first {
			t.Errorf("%s: %d events, first %+v, %v", g, len(r.Events), r.Events[0], err)
		}
	}
}

// TestOverlappingBlocksMerge: batches written out of time order and to
// several streams overlap in time; reads still return events in time
// order, both ways and across pages.
func TestOverlappingBlocksMerge(t *testing.T) {
	s, _ := open(t, Options{})
	for _, batch := range [][]Event{
		{{Group: "g", Stream: "a", Time: 10, Message: "a10"}, {Group: "g", Stream: "a", Time: 30, Message: "a30"}, {Group: "g", Stream: "b", Time: 15, Message: "b15"}},
		{{Group: "g", Stream: "a", Time: 20, Message: "a20\x00a20bis"}, {Group: "g", Stream: "b", Time: 5, Message: "b5"}},
		{{Group: "g", Stream: "a", Time: 25, Message: "a25"}},
	} {
		if err := s.Append(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	q := FilterQuery{Group: "g", Limit: 2}
	for {
		r, err := s.Filter(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, messages(r.Events))
		if r.Next == "" {
			break
		}
		q.Token = r.Next
	}
	if strings.Join(got, "|") != "b5,a10|b15,a20|a20bis,a25|a30" {
		t.Errorf("filter pages %q", got)
	}
	r, err := s.Get(ctx, GetQuery{Group: "g", Stream: "a", Limit: 3})
	if err != nil || messages(r.Events) != "a20bis,a25,a30" {
		t.Errorf("newest of stream a: %q %v", messages(r.Events), err)
	}
	r, err = s.Get(ctx, GetQuery{Group: "g", Stream: "a", Token: r.BackToken, Limit: 3})
	if err != nil || messages(r.Events) != "a10,a20" {
		t.Errorf("older page of stream a: %q %v", messages(r.Events), err)
	}
}

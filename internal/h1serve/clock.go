package h1serve

import (
	"net/http"
	"sync/atomic"
	"time"
)

// clock is a coarse clock ticking once per second. Every response needs a
// Date header and every request re-arms connection deadlines; formatting
// the date (and reading the time) per request is measurable at this
// server's rates, while HTTP dates have one-second resolution anyway and
// the timeouts here are tens of seconds.
type clock struct {
	cur  atomic.Pointer[tick]
	stop chan struct{}
}

type tick struct {
	now  time.Time
	sec  int64
	date []byte // "Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n"
}

func newTick(now time.Time) *tick {
	b := make([]byte, 0, 40)
	b = append(b, "Date: "...)
	b = now.UTC().AppendFormat(b, http.TimeFormat)
	b = append(b, "\r\n"...)
	return &tick{now: now, sec: now.Unix(), date: b}
}

func (c *clock) start() {
	c.cur.Store(newTick(time.Now()))
	c.stop = make(chan struct{})
	go func(stop chan struct{}) {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				c.cur.Store(newTick(now))
			case <-stop:
				return
			}
		}
	}(c.stop)
}

func (c *clock) load() *tick { return c.cur.Load() }

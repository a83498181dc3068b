package gateway

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stagecoach/stagecoach/internal/store"
)

// domainTable is the custom domain names' routing table, immutable once
// published: a request loads it with one atomic read. A committed change
// to domain names or mappings (store.Change.Domains) builds a new table
// and swaps it in before the control-plane call returns.
type domainTable struct {
	hosts map[string]*domainRoutes // by lower-case host name ("*.example.com" for wildcards)
}

// domainRoutes are one domain's mappings, longest base path first, so the
// first match is the most specific one.
type domainRoutes struct {
	mappings []domainMapping
}

type domainMapping struct {
	prefix string // "/" + base path; "" for the empty base path
	apiID  string
	stage  string // "" when the mapping names no stage: the next segment does
}

// domainState owns the table and its recompiles.
type domainState struct {
	st    store.Store
	table atomic.Pointer[domainTable]
	mu    sync.Mutex // serialises compiles; never taken by requests
}

func newDomainState(st store.Store) *domainState {
	d := &domainState{st: st}
	d.table.Store(&domainTable{})
	return d
}

// onChange is the store subscription: it recompiles on the committing
// goroutine, so the call that changed a mapping returns once the data
// plane routes by it.
func (d *domainState) onChange(ch store.Change) error {
	if !ch.Domains {
		return nil
	}
	return d.compile()
}

func (d *domainState) compile() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var entries []*store.DomainEntry
	err := d.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		entries, err = store.Domains(tx)
		return err
	})
	if err != nil {
		return err
	}
	t := &domainTable{hosts: make(map[string]*domainRoutes, len(entries))}
	for _, e := range entries {
		dr := &domainRoutes{}
		for _, m := range e.Mappings {
			dm := domainMapping{apiID: strings.ToLower(m.RestAPIID), stage: m.Stage}
			if m.BasePath != "" {
				dm.prefix = "/" + m.BasePath
			}
			dr.mappings = append(dr.mappings, dm)
		}
		slices.SortStableFunc(dr.mappings, func(a, b domainMapping) int { return cmp.Compare(len(b.prefix), len(a.prefix)) })
		t.hosts[strings.ToLower(e.Domain.DomainName)] = dr
	}
	d.table.Store(t)
	return nil
}

// lookup finds the routes for a Host header: the port is dropped, an
// exact name wins over a wildcard one.
func (t *domainTable) lookup(host string) *domainRoutes {
	if len(t.hosts) == 0 {
		return nil
	}
	host = hostWithoutPort(host)
	host = strings.ToLower(host) // no allocation when already lower-case
	if dr := t.hosts[host]; dr != nil {
		return dr
	}
	if _, parent, ok := strings.Cut(host, "."); ok {
		return t.hosts["*."+parent]
	}
	return nil
}

// match picks the mapping for an escaped request path by the longest base
// path that is a whole-segment prefix of it, and returns the path left
// for resource matching ("/" for the root).
func (dr *domainRoutes) match(path string) (m *domainMapping, rest string) {
	for i := range dr.mappings {
		m := &dr.mappings[i]
		if m.prefix == "" {
			return m, path
		}
		if !strings.HasPrefix(path, m.prefix) {
			continue
		}
		after := path[len(m.prefix):]
		if after == "" {
			return m, "/"
		}
		if after[0] == '/' {
			return m, after
		}
	}
	return nil, ""
}

// ServeDomain serves r when its Host is a configured custom domain name
// and reports whether it did; the front door calls it before any other
// dispatch. The mapped stage serves the request exactly as through its
// execute-api URL (the same stage snapshot and pipeline), except that a
// disableExecuteApiEndpoint API is reachable here. A path no base path
// matches answers 403 {"message":"Forbidden"}, as AWS does.
func (g *Gateway) ServeDomain(w http.ResponseWriter, r *http.Request) bool {
	dr := g.domains.table.Load().lookup(r.Host)
	if dr == nil {
		return false
	}
	path := r.URL.EscapedPath()
	m, rest := dr.match(path)
	if m == nil {
		g.serve(w, r, "", "", path, true) // no API: 403
		return true
	}
	stage := m.stage
	if stage == "" {
		stage, rest = splitStagePath(rest)
	}
	g.serve(w, r, m.apiID, stage, rest, true)
	return true
}

// splitStagePath splits "/prod/pets" into "prod" and "/pets", for
// mappings that name no stage.
func splitStagePath(p string) (stage, rest string) {
	p = strings.TrimPrefix(p, "/")
	stage, rest, _ = strings.Cut(p, "/")
	return stage, "/" + rest
}

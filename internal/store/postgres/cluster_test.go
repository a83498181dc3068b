package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
	"github.com/stagecoach/stagecoach/internal/store/postgres"
	"github.com/stagecoach/stagecoach/internal/store/postgres/pgtest"
)

var ctx = context.Background()

// wait is generous: it bounds a broken test, it does not measure anything.
const wait = 20 * time.Second

func putStage(t *testing.T, st store.Store, api, stage, desc string) {
	t.Helper()
	err := st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.RestAPI(api); errors.Is(err, store.ErrNotFound) {
			if err := tx.PutRestAPI(&apigw.RestAPI{ID: api, Name: api, CreatedDate: apigw.Now()}); err != nil {
				return err
			}
		}
		return tx.PutStage(api, &apigw.Stage{StageName: stage, Description: desc})
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// changes subscribes to st and returns the channel it feeds.
func changes(t *testing.T, st store.Store) chan store.Change {
	ch := make(chan store.Change, 1000)
	t.Cleanup(st.Subscribe(func(c store.Change) { ch <- c }))
	return ch
}

// awaitAPI waits for a change that makes a subscriber recompile api.
func awaitAPI(t *testing.T, ch chan store.Change, api string) store.Change {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case c := <-ch:
			if c.Account || slices.Contains(c.RestAPIIDs, api) {
				return c
			}
		case <-deadline:
			t.Fatalf("no change for %s within %v", api, wait)
		}
	}
}

// TestTwoNodesPropagation: a change committed on node 1 reaches node 2's
// subscribers with exactly what changed, and node 2 reads it. It logs the
// propagation time from node 1's commit to node 2's callback.
func TestTwoNodesPropagation(t *testing.T) {
	key := t.Name()
	n1 := open(t, key, postgres.Options{})
	n2 := open(t, key, postgres.Options{})
	type stamp struct {
		c  store.Change
		at time.Time
	}
	got := make(chan stamp, 100)
	defer n2.Subscribe(func(c store.Change) { got <- stamp{c, time.Now()} })()
	const rounds = 50
	var lat []time.Duration
	for i := range rounds {
		desc := fmt.Sprintf("round %d", i)
		putStage(t, n1, "api1", "prod", desc)
		done := time.Now()
		select {
		case s := <-got:
			if s.c.Account || !slices.Equal(s.c.RestAPIIDs, []string{"api1"}) {
				t.Fatalf("node 2 got %+v, want exactly api1", s.c)
			}
			lat = append(lat, s.at.Sub(done))
		case <-time.After(wait):
			t.Fatalf("round %d: node 2 heard nothing", i)
		}
		n2.View(ctx, func(tx store.Tx) error {
			s, err := tx.Stage("api1", "prod")
			if err != nil || s.Description != desc {
				t.Fatalf("node 2 reads %+v, %v; want %q", s, err, desc)
			}
			return nil
		})
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("store propagation node 1 commit -> node 2 callback over %d changes: p50 %v p99 %v max %v",
		rounds, lat[rounds/2], lat[rounds*99/100-1], lat[rounds-1])
}

// TestLostNotificationIsRecovered bumps the change counter behind the
// nodes' backs (a change whose NOTIFY never came): the poll notices and
// resyncs.
func TestLostNotificationIsRecovered(t *testing.T) {
	key := t.Name()
	n1 := open(t, key, postgres.Options{PollInterval: 20 * time.Millisecond})
	ch := changes(t, n1)
	conn, err := pgx.Connect(ctx, pgtest.Start(t).Database(t, key))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE change_counter SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	if c := awaitAPI(t, ch, "any"); !c.Account || !c.UsagePlans {
		t.Fatalf("resync = %+v, want Account and UsagePlans", c)
	}
}

// TestListenerReconnects kills node 2's LISTEN connection; changes made
// meanwhile still reach it (by notification or by the resync after the
// reconnect).
func TestListenerReconnects(t *testing.T) {
	key := t.Name()
	n1 := open(t, key, postgres.Options{})
	n2 := open(t, key, postgres.Options{PollInterval: 50 * time.Millisecond})
	ch := changes(t, n2)
	conn, err := pgx.Connect(ctx, pgtest.Start(t).Database(t, key))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var killed int
	if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'stagecoach-change-listener'`).Scan(&killed); err != nil || killed != 2 {
		t.Fatalf("terminated %d listeners, %v; want 2", killed, err)
	}
	putStage(t, n1, "after", "prod", "x")
	awaitAPI(t, ch, "after")
	// And the new connection hears the next change normally.
	putStage(t, n1, "later", "prod", "y")
	awaitAPI(t, ch, "later")
}

// TestConcurrentStartMigratesOnce opens several nodes on a fresh database
// at once: the advisory lock makes one migrate and the rest find it done.
func TestConcurrentStartMigratesOnce(t *testing.T) {
	dsn := pgtest.Start(t).Database(t, t.Name())
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := postgres.Open(ctx, dsn, postgres.Options{})
			if err == nil {
				st.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}
}

// TestRefusesNewerSchema: a database migrated by a newer Stagecoach is
// refused with a message saying so.
func TestRefusesNewerSchema(t *testing.T) {
	key := t.Name()
	open(t, key, postgres.Options{}).Close()
	dsn := pgtest.Start(t).Database(t, key)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE stagecoach_schema SET version = 999`); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(ctx, dsn, postgres.Options{})
	var tooNew *postgres.ErrSchemaTooNew
	if !errors.As(err, &tooNew) || tooNew.Have != 999 {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
	t.Log(err)
}

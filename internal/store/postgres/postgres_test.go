package postgres_test

import (
	"context"
	"testing"

	"github.com/stagecoach/stagecoach/internal/store"
	"github.com/stagecoach/stagecoach/internal/store/postgres"
	"github.com/stagecoach/stagecoach/internal/store/postgres/pgtest"
	"github.com/stagecoach/stagecoach/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens a store on the database keyed by key.
func open(t *testing.T, key string, opts postgres.Options) *postgres.Store {
	t.Helper()
	srv := pgtest.Start(t)
	st, err := postgres.Open(context.Background(), srv.Database(t, key), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestContract(t *testing.T) {
	pgtest.Start(t)
	storetest.Run(t, func(t *testing.T, dir string) store.Store {
		return open(t, dir, postgres.Options{})
	})
}

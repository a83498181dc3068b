package server

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/store"
	"github.com/stagecoach/stagecoach/internal/store/postgres"
	"github.com/stagecoach/stagecoach/internal/store/sqlite"
)

// openStore opens the configuration store: PostgreSQL when cfg.Store is a
// postgres:// URL (cluster mode: several nodes share it), otherwise the
// embedded SQLite database in the data directory.
func openStore(cfg Config) (store.Store, error) {
	if cfg.Store == "" {
		return sqlite.Open(cfg.DataDir)
	}
	if !IsPostgresURL(cfg.Store) {
		return nil, fmt.Errorf("--store %q: want a postgres:// or postgresql:// URL", cfg.Store)
	}
	// Bounded: a node that cannot reach its database should say so
	// rather than hang at startup.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return postgres.Open(ctx, cfg.Store, postgres.Options{})
}

// IsPostgresURL reports whether s names a PostgreSQL database.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

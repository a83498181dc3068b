package sqlite_test

import (
	"testing"

	"github.com/stagecoach/stagecoach/internal/store"
	"github.com/stagecoach/stagecoach/internal/store/sqlite"
	"github.com/stagecoach/stagecoach/internal/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dir string) store.Store {
		st, err := sqlite.Open(dir)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}

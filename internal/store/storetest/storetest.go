// Package storetest is the contract every store.Store implementation must
// pass. The SQLite store runs it in its own tests; a PostgreSQL store for
// cluster mode will run the same suite.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// Factory opens a store over dir. Calling it twice with the same dir must
// open the same data (that is how persistence is checked).
type Factory func(t *testing.T, dir string) store.Store

// Run runs the whole contract suite.
func Run(t *testing.T, open Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, Factory)
	}{
		{"RestAPIRoundTrip", testRestAPIRoundTrip},
		{"APIPartsRoundTrip", testAPIParts},
		{"NotFound", testNotFound},
		{"RollbackOnError", testRollbackOnError},
		{"DeploymentSnapshotIsStored", testDeploymentSnapshot},
		{"StagesOrderedAndFiltered", testStages},
		{"SameSecondDeploymentsKeepInsertionOrder", testDeploymentOrder},
		{"DeleteRestAPICascades", testCascade},
		{"AccountDefaults", testAccount},
		{"Records", testRecords},
		{"NoLostUpdates", testNoLostUpdates},
		{"SubscribeAfterCommitOnly", testSubscribe},
		{"Persistence", testPersistence},
		{"UsageKeysAndPlans", testUsage},
		{"UsageRecords", testUsageRecords},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

var ctx = context.Background()

func newAPI(id string, created time.Time) *apigw.RestAPI {
	return &apigw.RestAPI{
		ID: id, Name: "pets " + id, CreatedDate: apigw.Time{Time: created}, RootResourceID: "root" + id,
		Resources: map[string]*apigw.Resource{
			"root" + id: {ID: "root" + id, Path: "/"},
			"pets" + id: {ID: "pets" + id, ParentID: "root" + id, PathPart: "pets", Path: "/pets",
				ResourceMethods: map[string]*apigw.Method{"GET": {HTTPMethod: "GET", AuthorizationType: "NONE",
					MethodIntegration: &apigw.Integration{Type: apigw.IntegrationMock, TimeoutInMillis: 29000}}}},
		},
		Models:            map[string]*apigw.Model{"Pet": {ID: "m" + id, Name: "Pet", ContentType: "application/json", Schema: `{"type":"object"}`}},
		RequestValidators: map[string]*apigw.RequestValidator{"v" + id: {ID: "v" + id, Name: "body", ValidateRequestBody: true}},
	}
}

func update(t *testing.T, st store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := st.Update(ctx, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func testRestAPIRoundTrip(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	now := time.Unix(1700000000, 0)
	update(t, st, func(tx store.Tx) error {
		if err := tx.PutRestAPI(newAPI("b", now.Add(time.Second))); err != nil {
			return err
		}
		if err := tx.PutRestAPI(newAPI("0", now.Add(time.Second))); err != nil {
			return err
		}
		return tx.PutRestAPI(newAPI("a", now))
	})
	st.View(ctx, func(tx store.Tx) error {
		a, err := tx.RestAPI("a")
		if err != nil {
			t.Fatalf("RestAPI: %v", err)
		}
		if a.Name != "pets a" || len(a.Resources) != 2 || a.Resources["petsa"].ResourceMethods["GET"].MethodIntegration.Type != "MOCK" {
			t.Errorf("round trip lost data: %+v", a)
		}
		if m := a.Models["Pet"]; m == nil || m.Schema != `{"type":"object"}` || a.RequestValidators["va"] == nil || !a.RequestValidators["va"].ValidateRequestBody {
			t.Errorf("round trip lost models or validators: %+v %+v", a.Models, a.RequestValidators)
		}
		all, err := tx.RestAPIs()
		if err != nil || len(all) != 3 || all[0].ID != "a" || all[1].ID != "b" || all[2].ID != "0" {
			t.Errorf("RestAPIs not ordered by creation: %v %v", all, err)
		}
		return nil
	})
}

func testNotFound(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.RestAPI("nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RestAPI(nope) = %v, want ErrNotFound", err)
		}
		if _, err := tx.Stage("nope", "prod"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Stage = %v, want ErrNotFound", err)
		}
		if _, err := tx.Deployment("nope", "d"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Deployment = %v, want ErrNotFound", err)
		}
		if _, err := tx.Record("k", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Record = %v, want ErrNotFound", err)
		}
		return nil
	})
	err := st.Update(ctx, func(tx store.Tx) error { return tx.DeleteStage("nope", "prod") })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteStage of missing stage = %v, want ErrNotFound", err)
	}
}

func testRollbackOnError(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	update(t, st, func(tx store.Tx) error { return tx.PutRestAPI(newAPI("a", time.Now())) })
	boom := errors.New("boom")
	err := st.Update(ctx, func(tx store.Tx) error {
		a, _ := tx.RestAPI("a")
		a.Name = "changed"
		if err := tx.PutRestAPI(a); err != nil {
			return err
		}
		if err := tx.PutStage("a", &apigw.Stage{StageName: "prod"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v, want boom", err)
	}
	st.View(ctx, func(tx store.Tx) error {
		a, _ := tx.RestAPI("a")
		if a.Name != "pets a" {
			t.Errorf("failed Update kept its write: name %q", a.Name)
		}
		if _, err := tx.Stage("a", "prod"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("failed Update kept its stage: %v", err)
		}
		return nil
	})
}

func testDeploymentSnapshot(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	api := newAPI("a", time.Now())
	update(t, st, func(tx store.Tx) error {
		if err := tx.PutRestAPI(api); err != nil {
			return err
		}
		return tx.PutDeployment("a", &apigw.Deployment{ID: "d1", CreatedDate: apigw.Now(),
			Snapshot: &apigw.Snapshot{APIName: api.Name, Resources: api.Resources}})
	})
	st.View(ctx, func(tx store.Tx) error {
		d, err := tx.Deployment("a", "d1")
		if err != nil {
			t.Fatalf("Deployment: %v", err)
		}
		if d.Snapshot == nil || d.Snapshot.Resources["petsa"].Path != "/pets" {
			t.Errorf("snapshot not stored: %+v", d.Snapshot)
		}
		ds, err := tx.Deployments("a")
		if err != nil || len(ds) != 1 || ds[0].Snapshot == nil {
			t.Errorf("Deployments = %v, %v", ds, err)
		}
		return nil
	})
}

func testStages(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	update(t, st, func(tx store.Tx) error {
		tx.PutRestAPI(newAPI("a", time.Now()))
		for _, n := range []string{"prod", "beta", "staging"} {
			if err := tx.PutStage("a", &apigw.Stage{StageName: n, DeploymentID: "d1", Variables: map[string]string{"v": n}}); err != nil {
				return err
			}
		}
		return nil
	})
	st.View(ctx, func(tx store.Tx) error {
		ss, err := tx.Stages("a")
		if err != nil || len(ss) != 3 || ss[0].StageName != "beta" || ss[2].StageName != "staging" {
			t.Errorf("Stages = %v, %v", ss, err)
		}
		s, _ := tx.Stage("a", "prod")
		if s.Variables["v"] != "prod" {
			t.Errorf("stage variables lost: %+v", s)
		}
		return nil
	})
}

func testCascade(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	update(t, st, func(tx store.Tx) error {
		tx.PutRestAPI(newAPI("a", time.Now()))
		tx.PutDeployment("a", &apigw.Deployment{ID: "d1", CreatedDate: apigw.Now()})
		return tx.PutStage("a", &apigw.Stage{StageName: "prod", DeploymentID: "d1"})
	})
	update(t, st, func(tx store.Tx) error { return tx.DeleteRestAPI("a") })
	st.View(ctx, func(tx store.Tx) error {
		if ss, _ := tx.Stages("a"); len(ss) != 0 {
			t.Errorf("stages survived their API: %v", ss)
		}
		if ds, _ := tx.Deployments("a"); len(ds) != 0 {
			t.Errorf("deployments survived their API: %v", ds)
		}
		return nil
	})
}

func testAccount(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	st.View(ctx, func(tx store.Tx) error {
		a, err := tx.Account()
		if err != nil || a.ThrottleSettings.RateLimit != 10000 || a.ThrottleSettings.BurstLimit != 5000 || a.CloudwatchRoleArn != "" {
			t.Errorf("default account = %+v, %v", a, err)
		}
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		a, _ := tx.Account()
		a.CloudwatchRoleArn = "arn:aws:iam::123456789012:role/logs"
		return tx.PutAccount(a)
	})
	st.View(ctx, func(tx store.Tx) error {
		a, _ := tx.Account()
		if a.CloudwatchRoleArn != "arn:aws:iam::123456789012:role/logs" {
			t.Errorf("account not stored: %+v", a)
		}
		return nil
	})
}

func testRecords(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	update(t, st, func(tx store.Tx) error {
		tx.PutRecord("req", "2", []byte("two"))
		tx.PutRecord("req", "1", []byte("one"))
		tx.PutRecord("other", "1", []byte("x"))
		return tx.PutRecord("req", "2", []byte("two again"))
	})
	st.View(ctx, func(tx store.Tx) error {
		rs, err := tx.Records("req")
		if err != nil || len(rs) != 2 || string(rs[0]) != "two again" || string(rs[1]) != "one" {
			t.Errorf("Records = %q, %v", rs, err)
		}
		return nil
	})
	update(t, st, func(tx store.Tx) error { return tx.DeleteRecord("req", "1") })
	st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.Record("req", "1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted record still there: %v", err)
		}
		return nil
	})
}

// testNoLostUpdates runs concurrent read-modify-write transactions that
// each add one stage variable; all must survive.
func testNoLostUpdates(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	update(t, st, func(tx store.Tx) error {
		tx.PutRestAPI(newAPI("a", time.Now()))
		return tx.PutStage("a", &apigw.Stage{StageName: "prod"})
	})
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- st.Update(ctx, func(tx store.Tx) error {
				s, err := tx.Stage("a", "prod")
				if err != nil {
					return err
				}
				if s.Variables == nil {
					s.Variables = map[string]string{}
				}
				s.Variables[fmt.Sprintf("v%d", i)] = "x"
				return tx.PutStage("a", s)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Update: %v", err)
		}
	}
	st.View(ctx, func(tx store.Tx) error {
		s, _ := tx.Stage("a", "prod")
		if len(s.Variables) != n {
			t.Errorf("%d of %d concurrent updates survived", len(s.Variables), n)
		}
		return nil
	})
}

func testSubscribe(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	var mu sync.Mutex
	var got []store.Change
	cancel := st.Subscribe(func(c store.Change) {
		mu.Lock()
		got = append(got, c)
		mu.Unlock()
	})
	update(t, st, func(tx store.Tx) error { return tx.PutRestAPI(newAPI("a", time.Now())) })
	st.Update(ctx, func(tx store.Tx) error {
		tx.PutStage("a", &apigw.Stage{StageName: "prod"})
		return errors.New("rolled back")
	})
	update(t, st, func(tx store.Tx) error {
		a, _ := tx.Account()
		return tx.PutAccount(a)
	})
	cancel()
	update(t, st, func(tx store.Tx) error { return tx.PutRestAPI(newAPI("b", time.Now())) })
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("got %d changes, want 2 (rolled-back and post-cancel updates must not notify): %+v", len(got), got)
	}
	if len(got[0].RestAPIIDs) != 1 || got[0].RestAPIIDs[0] != "a" || got[0].Account {
		t.Errorf("first change = %+v", got[0])
	}
	if !got[1].Account {
		t.Errorf("second change = %+v, want Account", got[1])
	}
}

func testPersistence(t *testing.T, open Factory) {
	dir := t.TempDir()
	st := open(t, dir)
	update(t, st, func(tx store.Tx) error {
		tx.PutRestAPI(newAPI("a", time.Now()))
		return tx.PutStage("a", &apigw.Stage{StageName: "prod", Description: "kept"})
	})
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st2 := open(t, dir)
	st2.View(ctx, func(tx store.Tx) error {
		s, err := tx.Stage("a", "prod")
		if err != nil || s.Description != "kept" {
			t.Errorf("after reopen: %+v, %v", s, err)
		}
		return nil
	})
}

func testDeploymentOrder(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	same := apigw.Time{Time: time.Unix(1700000000, 0)}
	ids := []string{"zzz", "aaa", "mmm"}
	update(t, st, func(tx store.Tx) error {
		tx.PutRestAPI(newAPI("a", time.Now()))
		for _, id := range ids {
			if err := tx.PutDeployment("a", &apigw.Deployment{ID: id, CreatedDate: same}); err != nil {
				return err
			}
		}
		return nil
	})
	st.View(ctx, func(tx store.Tx) error {
		ds, _ := tx.Deployments("a")
		for i, d := range ds {
			if d.ID != ids[i] {
				t.Errorf("deployment %d = %s, want %s (insertion order)", i, d.ID, ids[i])
			}
		}
		return nil
	})
}

package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

func newKey(id, value string, created int64) *apigw.APIKey {
	return &apigw.APIKey{ID: id, Value: value, Name: "key " + id, Enabled: true,
		CreatedDate: apigw.Time{Time: time.Unix(created, 0)}, LastUpdatedDate: apigw.Time{Time: time.Unix(created, 0)},
		StageKeys: []string{}}
}

// testUsage covers keys, plans and associations: round trips, lookups by
// value, unique values, cascades and the UsagePlans change flag.
func testUsage(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	var changes []store.Change
	cancel := st.Subscribe(func(c store.Change) { changes = append(changes, c) })
	defer cancel()
	anchor := time.Unix(1700000000, 0).UTC()
	plan := &apigw.UsagePlan{ID: "p1", Name: "gold", APIStages: []apigw.APIStage{{APIID: "a", Stage: "prod",
		Throttle: map[string]apigw.ThrottleSettings{"/pets/GET": {BurstLimit: 2, RateLimit: 1.5}}}},
		Quota: &apigw.QuotaSettings{Limit: 10, Offset: 1, Period: "DAY"}, QuotaAnchor: apigw.Time{Time: anchor}}
	update(t, st, func(tx store.Tx) error {
		for _, k := range []*apigw.APIKey{newKey("k2", "valuevaluevaluevalue2", 20), newKey("k1", "valuevaluevaluevalue1", 10)} {
			if err := tx.PutAPIKey(k); err != nil {
				return err
			}
		}
		if err := tx.PutUsagePlan(plan); err != nil {
			return err
		}
		if err := tx.PutUsagePlan(&apigw.UsagePlan{ID: "p0", Name: "free"}); err != nil {
			return err
		}
		if err := tx.PutUsagePlanKey("p1", "k2"); err != nil {
			return err
		}
		return tx.PutUsagePlanKey("p1", "k1")
	})
	if len(changes) != 1 || !changes[0].UsagePlans || len(changes[0].RestAPIIDs) != 0 {
		t.Fatalf("changes %+v", changes)
	}
	st.View(ctx, func(tx store.Tx) error {
		keys, err := tx.APIKeys()
		if err != nil || len(keys) != 2 || keys[0].ID != "k1" || keys[1].ID != "k2" {
			t.Fatalf("APIKeys %v %v", keys, err)
		}
		k, err := tx.APIKeyByValue("valuevaluevaluevalue2")
		if err != nil || k.ID != "k2" || !k.Enabled {
			t.Fatalf("APIKeyByValue %+v %v", k, err)
		}
		if _, err := tx.APIKeyByValue("nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown value: %v", err)
		}
		p, err := tx.UsagePlan("p1")
		if err != nil || !reflect.DeepEqual(p.APIStages, plan.APIStages) || *p.Quota != *plan.Quota || !p.QuotaAnchor.Equal(anchor) {
			t.Fatalf("UsagePlan %+v %v", p, err)
		}
		plans, err := tx.UsagePlans()
		if err != nil || len(plans) != 2 || plans[0].ID != "p1" || plans[1].APIStages == nil {
			t.Fatalf("UsagePlans %+v %v", plans, err)
		}
		ids, err := tx.UsagePlanKeys("p1")
		if err != nil || !reflect.DeepEqual(ids, []string{"k2", "k1"}) {
			t.Fatalf("UsagePlanKeys %v %v", ids, err)
		}
		ids, err = tx.KeyUsagePlans("k1")
		if err != nil || !reflect.DeepEqual(ids, []string{"p1"}) {
			t.Fatalf("KeyUsagePlans %v %v", ids, err)
		}
		return nil
	})
	// A second key with the same value is refused by the store itself.
	err := st.Update(ctx, func(tx store.Tx) error { return tx.PutAPIKey(newKey("k3", "valuevaluevaluevalue1", 30)) })
	if err == nil {
		t.Fatal("duplicate value stored")
	}
	// Deleting a key drops its associations; deleting a plan drops its keys.
	update(t, st, func(tx store.Tx) error { return tx.DeleteAPIKey("k2") })
	st.View(ctx, func(tx store.Tx) error {
		if ids, _ := tx.UsagePlanKeys("p1"); !reflect.DeepEqual(ids, []string{"k1"}) {
			t.Fatalf("after key delete: %v", ids)
		}
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		if err := tx.DeleteUsagePlanKey("p1", "k2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteUsagePlanKey of a gone key: %v", err)
		}
		return tx.DeleteUsagePlan("p1")
	})
	st.View(ctx, func(tx store.Tx) error {
		if ids, _ := tx.KeyUsagePlans("k1"); len(ids) != 0 {
			t.Fatalf("after plan delete: %v", ids)
		}
		if _, err := tx.UsagePlan("p1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("plan still there: %v", err)
		}
		if err := tx.DeleteAPIKey("k1"); err == nil {
			t.Fatal("write in a read-only transaction")
		}
		return nil
	})
}

// testUsageRecords covers the daily counters: upsert, range queries,
// silence on the change feed, and records of deleted plans.
func testUsageRecords(t *testing.T, open Factory) {
	dir := t.TempDir()
	st := open(t, dir)
	update(t, st, func(tx store.Tx) error { return tx.PutUsagePlan(&apigw.UsagePlan{ID: "p", Name: "p"}) })
	published := 0
	cancel := st.Subscribe(func(store.Change) { published++ })
	update(t, st, func(tx store.Tx) error {
		return tx.PutUsageRecords([]store.UsageRecord{
			{PlanID: "p", KeyID: "k1", Day: "2026-12-01", Used: 3, Remaining: 7},
			{PlanID: "p", KeyID: "k1", Day: "2026-12-02", Used: 1, Remaining: 6},
			{PlanID: "p", KeyID: "k0", Day: "2026-12-02", Used: 5, Remaining: 5},
			{PlanID: "gone", KeyID: "k0", Day: "2026-12-02", Used: 5, Remaining: 5},
		})
	})
	update(t, st, func(tx store.Tx) error {
		return tx.PutUsageRecords([]store.UsageRecord{{PlanID: "p", KeyID: "k1", Day: "2026-12-02", Used: 2, Remaining: 5}})
	})
	cancel()
	if published != 0 {
		t.Fatalf("usage records published %d changes", published)
	}
	st.Close()
	st = open(t, dir)
	st.View(ctx, func(tx store.Tx) error {
		recs, err := tx.UsageRecords("p", "", "2026-12-01", "2026-12-02")
		want := []store.UsageRecord{
			{PlanID: "p", KeyID: "k0", Day: "2026-12-02", Used: 5, Remaining: 5},
			{PlanID: "p", KeyID: "k1", Day: "2026-12-01", Used: 3, Remaining: 7},
			{PlanID: "p", KeyID: "k1", Day: "2026-12-02", Used: 2, Remaining: 5},
		}
		if err != nil || !reflect.DeepEqual(recs, want) {
			t.Fatalf("UsageRecords %+v %v", recs, err)
		}
		recs, _ = tx.UsageRecords("p", "k1", "2026-12-02", "2026-12-31")
		if len(recs) != 1 || recs[0].Used != 2 {
			t.Fatalf("one key, from a day: %+v", recs)
		}
		if recs, _ := tx.UsageRecords("gone", "", "2000-01-01", "2100-01-01"); len(recs) != 0 {
			t.Fatalf("records of a missing plan kept: %+v", recs)
		}
		return nil
	})
}

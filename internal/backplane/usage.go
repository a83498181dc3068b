package backplane

import (
	"context"
	"slices"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// UsageMeter is the data plane's side of usage plans: it counts requests
// in memory (or in Redis, in cluster mode) and writes them to the store in
// batches. GetUsage asks it to flush first so the answer includes the
// latest requests; UpdateUsage tells it the new remaining quota.
type UsageMeter interface {
	// FlushUsage writes every counted request to the store.
	FlushUsage(ctx context.Context) error
	// SetRemaining sets the remaining quota of a key under a plan for
	// the current period.
	SetRemaining(planID, keyID string, remaining int64)
}

// Usage is GetUsage's and UpdateUsage's output. Items is keyed by API key
// id, one [used, remaining] pair per day of the range; the wire name is
// "values" (SDKs call it items).
type Usage struct {
	UsagePlanID string               `json:"usagePlanId"`
	StartDate   string               `json:"startDate"`
	EndDate     string               `json:"endDate"`
	Items       map[string][][]int64 `json:"values"`
	Position    string               `json:"position,omitempty"`
}

const dayLayout = "2006-01-02"

// maxUsageDays bounds a GetUsage range (U: AWS documents no bound; this
// keeps one answer small).
const maxUsageDays = 366

// GetUsage reports a plan's daily usage per key between two dates
// (YYYY-MM-DD, inclusive). Days without a record carry the remaining
// quota of the day before within the same quota period, or the period's
// full limit at its first day; a plan without a quota reports remaining 0.
func (s *Service) GetUsage(ctx context.Context, planID, keyID, startDate, endDate string) (*Usage, error) {
	start, err := time.Parse(dayLayout, startDate)
	if err != nil {
		return nil, apigw.BadRequest("Invalid start date specified: %s", startDate)
	}
	end, err := time.Parse(dayLayout, endDate)
	if err != nil {
		return nil, apigw.BadRequest("Invalid end date specified: %s", endDate)
	}
	if end.Before(start) {
		return nil, apigw.BadRequest("The end date must not be before the start date")
	}
	if end.Sub(start) > maxUsageDays*24*time.Hour {
		return nil, apigw.BadRequest("The date range must not exceed %d days", maxUsageDays)
	}
	if err := s.checkPlanKey(ctx, planID, keyID, keyID != ""); err != nil {
		return nil, err
	}
	if s.Meter != nil {
		if err := s.Meter.FlushUsage(ctx); err != nil {
			return nil, err
		}
	}
	var out *Usage
	err = s.view(ctx, func(tx store.Tx) error {
		p, err := loadUsagePlan(tx, planID)
		if err != nil {
			return err
		}
		keys, err := tx.UsagePlanKeys(planID)
		if err != nil {
			return err
		}
		if keyID != "" {
			keys = []string{keyID}
		}
		// Records from the start of the first day's quota period, so the
		// carried remaining of the first days is right.
		from := start
		if p.Quota != nil {
			from, _ = apigw.QuotaWindow(p.Quota.Period, start)
		}
		recs, err := tx.UsageRecords(planID, keyID, from.Format(dayLayout), endDate)
		if err != nil {
			return err
		}
		out = &Usage{UsagePlanID: planID, StartDate: startDate, EndDate: endDate, Items: map[string][][]int64{}}
		for _, k := range keys {
			out.Items[k] = dailyUsage(p, recs, k, from, start, end)
		}
		return nil
	})
	return out, err
}

// dailyUsage builds one key's [used, remaining] pairs for start..end.
func dailyUsage(p *apigw.UsagePlan, recs []store.UsageRecord, keyID string, from, start, end time.Time) [][]int64 {
	byDay := map[string]store.UsageRecord{}
	for _, r := range recs {
		if r.KeyID == keyID {
			byDay[r.Day] = r
		}
	}
	var out [][]int64
	var remaining int64
	var periodEnd time.Time
	for d := from; !d.After(end); d = d.AddDate(0, 0, 1) {
		if p.Quota != nil && !d.Before(periodEnd) {
			_, periodEnd = apigw.QuotaWindow(p.Quota.Period, d)
			remaining = p.Quota.LimitAt(p.QuotaAnchor.Time, d)
		}
		used := int64(0)
		if r, ok := byDay[d.Format(dayLayout)]; ok {
			used, remaining = r.Used, r.Remaining
		}
		if p.Quota == nil {
			remaining = 0
		}
		if !d.Before(start) {
			out = append(out, []int64{used, remaining})
		}
	}
	return out
}

// checkPlanKey checks the plan exists and, when mustHaveKey, that keyID is
// one of its keys.
func (s *Service) checkPlanKey(ctx context.Context, planID, keyID string, mustHaveKey bool) error {
	return s.view(ctx, func(tx store.Tx) error {
		if _, err := loadUsagePlan(tx, planID); err != nil {
			return err
		}
		if !mustHaveKey {
			return nil
		}
		keys, err := tx.UsagePlanKeys(planID)
		if err != nil {
			return err
		}
		if !slices.Contains(keys, keyID) {
			return apigw.NotFound(apigw.MsgInvalidAPIKey)
		}
		return nil
	})
}

// msgNoQuota refuses UpdateUsage on a plan without a quota (U).
const msgNoQuota = "Usage plan %s has no quota"

// UpdateUsage sets a key's remaining quota for the current period (the
// "temporary extension" of AWS's guide: the next period starts from the
// plan's limit again) and returns today's usage. The counters in flight
// are flushed first, the new value is written in one transaction, then
// the data plane's counter adopts it.
func (s *Service) UpdateUsage(ctx context.Context, planID, keyID string, ops []apigw.PatchOperation) (*Usage, error) {
	remaining, err := apigw.ParseUsagePatch(ops)
	if err != nil {
		return nil, err
	}
	if err := s.checkPlanKey(ctx, planID, keyID, true); err != nil {
		return nil, err
	}
	if s.Meter != nil {
		if err := s.Meter.FlushUsage(ctx); err != nil {
			return nil, err
		}
	}
	today := s.Now().UTC().Format(dayLayout)
	err = s.update(ctx, func(tx store.Tx) error {
		p, err := loadUsagePlan(tx, planID)
		if err != nil {
			return err
		}
		if p.Quota == nil {
			return apigw.BadRequest(msgNoQuota, planID)
		}
		recs, err := tx.UsageRecords(planID, keyID, today, today)
		if err != nil {
			return err
		}
		rec := store.UsageRecord{PlanID: planID, KeyID: keyID, Day: today, Remaining: remaining}
		if len(recs) == 1 {
			rec.Used = recs[0].Used
		}
		return tx.PutUsageRecords([]store.UsageRecord{rec})
	})
	if err != nil {
		return nil, err
	}
	if s.Meter != nil {
		s.Meter.SetRemaining(planID, keyID, remaining)
	}
	return s.GetUsage(ctx, planID, keyID, today, today)
}

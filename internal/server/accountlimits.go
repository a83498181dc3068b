package server

import (
	"context"

	"github.com/stagecoach/stagecoach/internal/store"
)

// applyAccountLimits writes the configured account-level throttle into the
// stored account, so that get-account reports the limits the data plane
// enforces. AWS raises its default quota (10000 requests/s, burst 5000) on
// request; a self-hosted gateway takes it as configuration (serve
// --account-rate-limit / --account-burst-limit). A zero field keeps the
// stored value.
func applyAccountLimits(st store.Store, rate float64, burst int) error {
	if rate <= 0 && burst <= 0 {
		return nil
	}
	return st.Update(context.Background(), func(tx store.Tx) error {
		a, err := tx.Account()
		if err != nil {
			return err
		}
		ts := a.ThrottleSettings
		if rate > 0 {
			a.ThrottleSettings.RateLimit = rate
		}
		if burst > 0 {
			a.ThrottleSettings.BurstLimit = burst
		}
		if a.ThrottleSettings == ts {
			return nil
		}
		return tx.PutAccount(a)
	})
}

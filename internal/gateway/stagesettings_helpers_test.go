package gateway

import (
	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// setAccountLimits stores the account's throttle settings (what
// get-account reports), e.g. to lift AWS's default 10000 requests/s for a
// load test.
func (e *testEnv) setAccountLimits(rate float64, burst int) {
	e.t.Helper()
	e.update(func(tx store.Tx) error {
		a, err := tx.Account()
		if err != nil {
			return err
		}
		a.ThrottleSettings = apigw.ThrottleSettings{RateLimit: rate, BurstLimit: burst}
		return tx.PutAccount(a)
	})
}

package gateway

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// BenchmarkAPIKeyCheck measures the API key step alone: read x-api-key,
// find the key in the stage's table (10,000 keys in the plan), take a
// token from the key's plan bucket and count it against the quota. The
// target (issue 12) is under 2 µs.
func BenchmarkAPIKeyCheck(b *testing.B) {
	e := newTestEnv(b, Options{})
	keyFixture(b, e, &apigw.UsagePlan{
		Throttle: &apigw.ThrottleSettings{RateLimit: 1e12, BurstLimit: 1 << 40},
		Quota:    &apigw.QuotaSettings{Limit: 1 << 60, Period: "MONTH"},
	})
	e.update(func(tx store.Tx) error {
		for i := range 10000 {
			k := &apigw.APIKey{ID: fmt.Sprintf("bk%05d", i), Value: fmt.Sprintf("bench-key-value-%010d", i), Enabled: true}
			if err := tx.PutAPIKey(k); err != nil {
				return err
			}
			if err := tx.PutUsagePlanKey("p", k.ID); err != nil {
				return err
			}
		}
		return nil
	})
	v := e.gw.table.Load().apis["kapi"].stages["prod"].prod
	n, _ := v.root.route("/pets", nil)
	m := n.lookup("GET")
	passed := 0
	h := e.gw.comp.apiKeyStep(v, m, &apigw.Method{APIKeyRequired: true})(func(*invocation) { passed++ })
	req := httptest.NewRequest("GET", "/pets", nil)
	req.Header["X-Api-Key"] = []string{"bench-key-value-0000004242"}
	inv := &invocation{r: req, w: &discardWriter{h: http.Header{}}, variant: v, method: m}
	b.ReportAllocs()
	for b.Loop() {
		inv.apiKey = apiKeyResult{}
		h(inv)
	}
	if passed != b.N {
		b.Fatalf("%d of %d passed", passed, b.N)
	}
}

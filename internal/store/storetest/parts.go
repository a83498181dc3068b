package storetest

import (
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// testAPIParts checks that an API's authorizers and gateway responses are
// stored with it, replaced by the next PutRestAPI (also when emptied), and
// deleted with it.
func testAPIParts(t *testing.T, open Factory) {
	st := open(t, t.TempDir())
	api := newAPI("parts", time.Unix(1700000000, 0))
	ttl := 0
	api.Authorizers = map[string]*apigw.Authorizer{"au1": {ID: "au1", Name: "tok", Type: "TOKEN", AuthorizerResultTTLInSeconds: &ttl}}
	api.GatewayResponses = map[string]*apigw.GatewayResponse{"THROTTLED": {ResponseType: "THROTTLED", StatusCode: "599"}}
	update(t, st, func(tx store.Tx) error { return tx.PutRestAPI(api) })
	get := func() *apigw.RestAPI {
		var a *apigw.RestAPI
		st.View(ctx, func(tx store.Tx) error {
			var err error
			if a, err = tx.RestAPI("parts"); err != nil {
				t.Fatalf("RestAPI: %v", err)
			}
			all, err := tx.RestAPIs()
			if err != nil || len(all) != 1 || len(all[0].Authorizers) != len(a.Authorizers) || len(all[0].GatewayResponses) != len(a.GatewayResponses) {
				t.Errorf("RestAPIs disagrees with RestAPI: %v %v", all, err)
			}
			return nil
		})
		return a
	}
	a := get()
	if au := a.Authorizers["au1"]; au == nil || au.Name != "tok" || au.AuthorizerResultTTLInSeconds == nil || *au.AuthorizerResultTTLInSeconds != 0 {
		t.Errorf("authorizer round trip: %+v", a.Authorizers)
	}
	if gr := a.GatewayResponses["THROTTLED"]; gr == nil || gr.StatusCode != "599" {
		t.Errorf("gateway response round trip: %+v", a.GatewayResponses)
	}
	a.Authorizers, a.GatewayResponses = nil, nil
	update(t, st, func(tx store.Tx) error { return tx.PutRestAPI(a) })
	if a := get(); a.Authorizers != nil || a.GatewayResponses != nil {
		t.Errorf("emptied parts came back: %+v %+v", a.Authorizers, a.GatewayResponses)
	}
	a.GatewayResponses = api.GatewayResponses
	update(t, st, func(tx store.Tx) error { return tx.PutRestAPI(a) })
	update(t, st, func(tx store.Tx) error { return tx.DeleteRestAPI("parts") })
	update(t, st, func(tx store.Tx) error { return tx.PutRestAPI(newAPI("parts", time.Unix(1700000000, 0))) })
	if a := get(); a.GatewayResponses != nil {
		t.Errorf("a deleted API's gateway responses survived into its successor: %+v", a.GatewayResponses)
	}
}

package server_test

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
	"github.com/stagecoach/stagecoach/internal/store/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestTwoNodesOnPostgres runs two whole Stagecoach nodes on one PostgreSQL
// database: an API built and deployed through node 1 is served by node 2,
// and each update-stage answered by node 1 is live on node 2. It reports
// the time from node 1's UpdateStage response to node 2 serving the new
// stage variable (the target is p99 <= 200 ms).
func TestTwoNodesOnPostgres(t *testing.T) {
	dsn := pgtest.Start(t).Database(t, t.Name())
	n1 := servertest.Start(t, &server.Config{Store: dsn})
	n2 := servertest.Start(t, &server.Config{Store: dsn})
	c := n1.APIGateway()
	ctx := servertest.Ctx()

	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("cluster")})
	if err != nil {
		t.Fatal(err)
	}
	get := aws.String("GET")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, AuthorizationType: aws.String("NONE")}))
	must(c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get,
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}))
	must(c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get, StatusCode: aws.String("200")}))
	must(c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: get,
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `$stageVariables.v`}}))
	must(c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod"),
		Variables: map[string]string{"v": "start"}}))

	url := n2.URL + "/restapis/" + *api.Id + "/prod/_user_request_/"
	body := func() string {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprint(resp.StatusCode, " ", string(b))
	}
	// awaitBody asks node 2 again and again until it serves want: the
	// readiness signal is the response itself; the deadline only bounds
	// a broken test.
	awaitBody := func(want string) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			got := body()
			if got == want {
				return time.Since(start)
			}
			if time.Since(start) > 20*time.Second {
				t.Fatalf("node 2 serves %q, want %q", got, want)
			}
		}
	}
	awaitBody("200 start")

	const rounds = 40
	lat := make([]time.Duration, 0, rounds)
	for i := range rounds {
		v := fmt.Sprintf("v%d", i)
		must(c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("prod"),
			PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/variables/v"), Value: aws.String(v)}}}))
		lat = append(lat, awaitBody("200 "+v))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("update-stage on node 1 -> live on node 2, %d rounds: p50 %v p99 %v max %v",
		rounds, lat[rounds/2], lat[rounds*99/100], lat[rounds-1])

	// Node 2's control plane reads what node 1 wrote.
	st, err := n2.APIGateway().GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("prod")})
	if err != nil || st.Variables["v"] != fmt.Sprintf("v%d", rounds-1) {
		t.Fatalf("node 2 GetStage = %+v, %v", st, err)
	}
}

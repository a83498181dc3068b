package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestKillNineNeverHalfApplies builds the real binary, fires concurrent
// UpdateStage calls at it, kills it with SIGKILL mid-flight, restarts it on
// the same data directory and checks that every acknowledged update is
// there and nothing is half applied: each update sets a variable and a
// method setting together, so a stage holding one without the other would
// be a torn request.
func TestKillNineNeverHalfApplies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := filepath.Join(t.TempDir(), "stagecoach")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dataDir := t.TempDir()
	ctx := context.Background()

	start := func() (*exec.Cmd, *apigateway.Client) {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve", "--listen", addr, "--data-dir", dataDir, "--log-level", "error")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitHealthy(t, "http://"+addr)
		client := apigateway.New(apigateway.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String("http://" + addr),
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
			Retryer:      aws.NopRetryer{},
		})
		return cmd, client
	}

	cmd, c := start()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("crash")})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	root := res.Items[0].Id
	mustDo(t, func() error {
		_, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: root, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
		return err
	})
	mustDo(t, func() error {
		_, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: root, HttpMethod: aws.String("GET"), Type: types.IntegrationTypeMock})
		return err
	})
	dep, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}

	for round := range 3 {
		stage := fmt.Sprintf("round%d", round)
		if _, err := c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String(stage), DeploymentId: dep.Id}); err != nil {
			t.Fatal(err)
		}
		const n = 60
		var mu sync.Mutex
		acked := map[int]bool{}
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{
					RestApiId: api.Id, StageName: aws.String(stage),
					PatchOperations: []types.PatchOperation{
						{Op: types.OpReplace, Path: aws.String(fmt.Sprintf("/variables/v%d", i)), Value: aws.String("x")},
						{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String(fmt.Sprintf("d%d", i))},
						{Op: types.OpReplace, Path: aws.String("/*/*/throttling/burstLimit"), Value: aws.String(fmt.Sprint(i))},
					},
				})
				if err == nil {
					mu.Lock()
					acked[i] = true
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(5+rand.IntN(40)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		wg.Wait()

		cmd, c = start()
		got, err := c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String(stage)})
		if err != nil {
			t.Fatalf("round %d: stage unreadable after kill -9: %v", round, err)
		}
		mu.Lock()
		for i := range acked {
			if got.Variables[fmt.Sprintf("v%d", i)] != "x" {
				t.Errorf("round %d: acknowledged update %d lost", round, i)
			}
		}
		// The last applied update wrote description d{i} and burst i
		// together; they must agree, and its variable must be there.
		var last int
		if got.Description != nil {
			fmt.Sscanf(*got.Description, "d%d", &last)
			if burst := got.MethodSettings["*/*"].ThrottlingBurstLimit; int(burst) != last {
				t.Errorf("round %d: torn update: description %q but burst %d", round, *got.Description, burst)
			}
			if got.Variables[fmt.Sprintf("v%d", last)] != "x" {
				t.Errorf("round %d: torn update: description %q without its variable", round, *got.Description)
			}
		}
		t.Logf("round %d: %d acknowledged, %d applied before the kill", round, len(acked), len(got.Variables))
		mu.Unlock()
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
}

func mustDo(t *testing.T, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHealthy(t *testing.T, base string) {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/_stagecoach/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never became healthy", base)
}

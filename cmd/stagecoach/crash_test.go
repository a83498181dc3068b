package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

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
//
// Nothing here waits on the clock: the server's own ready record says
// where it listens, and the kill comes once a number of updates have been
// acknowledged (so the test cannot pass without any), while the writers
// are still sending (each keeps going until a request fails).
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

	start := func() (*serverProc, *apigateway.Client) {
		cmd, endpoint := startServer(t, bin, "--listen", "127.0.0.1:0", "--data-dir", dataDir)
		client := apigateway.New(apigateway.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String(endpoint),
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

	const (
		writers   = 8
		updates   = 90 // under the 100-variable limit of a stage
		killAfter = 10 // acknowledged updates before the kill
	)
	for round := range 3 {
		stage := fmt.Sprintf("round%d", round)
		if _, err := c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String(stage), DeploymentId: dep.Id}); err != nil {
			t.Fatal(err)
		}
		var (
			mu     sync.Mutex
			acked  = map[int]bool{}
			next   atomic.Int64
			enough = make(chan struct{})
			wg     sync.WaitGroup
		)
		for range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= updates {
						return
					}
					_, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{
						RestApiId: api.Id, StageName: aws.String(stage),
						PatchOperations: []types.PatchOperation{
							{Op: types.OpReplace, Path: aws.String(fmt.Sprintf("/variables/v%d", i)), Value: aws.String("x")},
							{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String(fmt.Sprintf("d%d", i))},
							{Op: types.OpReplace, Path: aws.String("/*/*/throttling/burstLimit"), Value: aws.String(fmt.Sprint(i))},
						},
					})
					if err != nil {
						return // the server is gone
					}
					mu.Lock()
					acked[i] = true
					if len(acked) == killAfter {
						close(enough)
					}
					mu.Unlock()
				}
			}()
		}
		allDone := make(chan struct{})
		go func() { wg.Wait(); close(allDone) }()
		select {
		case <-enough:
		case <-allDone:
			t.Fatalf("round %d: the writers stopped with only %d updates acknowledged", round, len(acked))
		}
		cmd.signal(syscall.SIGKILL)
		<-allDone

		cmd, c = start()
		got, err := c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String(stage)})
		if err != nil {
			t.Fatalf("round %d: stage unreadable after kill -9: %v", round, err)
		}
		mu.Lock()
		if len(acked) < killAfter {
			t.Fatalf("round %d: only %d updates acknowledged", round, len(acked))
		}
		for i := range acked {
			if got.Variables[fmt.Sprintf("v%d", i)] != "x" {
				t.Errorf("round %d: acknowledged update %d lost", round, i)
			}
		}
		// The last applied update wrote description d{i} and burst i
		// together; they must agree, and its variable must be there.
		var last int
		if got.Description == nil {
			t.Errorf("round %d: no description although %d updates were acknowledged", round, len(acked))
		} else {
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
	cmd.signal(syscall.SIGTERM)
}

func mustDo(t *testing.T, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
}

// serverProc is a running stagecoach binary.
type serverProc struct {
	cmd    *exec.Cmd
	exited chan error
}

// signal sends sig and waits for the process to end.
func (s *serverProc) signal(sig os.Signal) {
	s.cmd.Process.Signal(sig)
	<-s.exited
}

// startServer starts the binary with args and returns once its ready
// record (a JSON line on stderr, as stderr is not a terminal) names the
// endpoint: the server's own readiness signal, no polling. Everything it
// writes to stderr is passed on to the test's.
func startServer(t *testing.T, bin string, args ...string) (*serverProc, string) {
	t.Helper()
	ready := make(chan string, 1)
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Stderr = &readyWatcher{ready: ready}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serverProc{cmd: cmd, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait() }()
	select {
	case endpoint := <-ready:
		return s, endpoint
	case err := <-s.exited:
		t.Fatalf("stagecoach exited before it was ready: %v", err)
		return nil, ""
	}
}

// readyWatcher copies a server's stderr to the test's and sends the
// endpoint of its "stagecoach ready" record on ready.
type readyWatcher struct {
	ready   chan string
	partial []byte
}

func (w *readyWatcher) Write(p []byte) (int, error) {
	os.Stderr.Write(p)
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		var rec struct {
			Msg      string `json:"msg"`
			Endpoint string `json:"endpoint"`
		}
		if json.Unmarshal(w.partial[:i], &rec) == nil && rec.Msg == "stagecoach ready" && w.ready != nil {
			w.ready <- rec.Endpoint
			w.ready = nil
		}
		w.partial = w.partial[i+1:]
	}
}

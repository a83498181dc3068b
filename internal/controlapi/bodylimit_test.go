package controlapi_test

import (
	"bytes"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/smithy-go"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// countingTransport counts the requests an SDK client sends.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestOversizeBodyIs413NotRetried: an import over the 6 MB limit is
// answered 413, and an SDK client with its default retry policy sends it
// once (a 429 made the AWS CLI re-upload it five times). Nothing is
// created.
func TestOversizeBodyIs413NotRetried(t *testing.T) {
	env := servertest.Start(t, nil)
	ct := &countingTransport{}
	c := apigateway.NewFromConfig(env.AWSConfig(), func(o *apigateway.Options) {
		o.HTTPClient = &http.Client{Transport: ct}
	})
	body := bytes.Repeat([]byte(" "), 7<<20)
	_, err := c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: body})
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusRequestEntityTooLarge {
		t.Fatalf("ImportRestApi: %v, want a 413", err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "RequestEntityTooLargeException" {
		t.Errorf("error code: %v", err)
	}
	if n := ct.n.Load(); n != 1 {
		t.Errorf("the SDK sent the request %d times, want once", n)
	}
	apis, err := c.GetRestApis(bg, &apigateway.GetRestApisInput{})
	if err != nil || len(apis.Items) != 0 {
		t.Fatalf("after the refused import: %v, %d APIs", err, len(apis.Items))
	}
}

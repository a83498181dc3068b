package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// apiClient reads through the control API's own HTTP handler, in process.
// The console never touches the store or the backplane directly: what a
// page shows is exactly what `aws apigateway get-*` would print, and every
// write goes from the browser to the same REST routes the CLI uses.
type apiClient struct {
	h http.Handler
}

// apiError is a control-plane error response: the status, the error type
// before the first ':' of x-amzn-ErrorType, and the body's message.
type apiError struct {
	Status  int
	Type    string
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%s (%d): %s", e.Type, e.Status, e.Message) }

// recorder is the smallest http.ResponseWriter that keeps a response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// get performs GET path (already escaped) and decodes the JSON body into out.
func (c *apiClient) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	// An in-process read never crossed a network: it is named a loopback
	// caller, so a management guard in front of the handler (tests run
	// the console over the whole front door) sees a local Host.
	req.Host = "localhost"
	req.Header.Set("Accept", "application/json")
	rec := &recorder{header: http.Header{}}
	c.h.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status/100 != 2 {
		var body struct {
			Message string `json:"message"`
		}
		json.Unmarshal(rec.body.Bytes(), &body)
		typ := rec.header.Get("x-amzn-ErrorType")
		for i := 0; i < len(typ); i++ {
			if typ[i] == ':' {
				typ = typ[:i]
				break
			}
		}
		if body.Message == "" {
			body.Message = http.StatusText(rec.status)
		}
		return &apiError{Status: rec.status, Type: typ, Message: body.Message}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(rec.body.Bytes(), out)
}

// page is a paged collection: {"item":[...],"position":"..."}.
type page[T any] struct {
	Item     []T    `json:"item"`
	Position string `json:"position"`
}

// getAll follows position tokens until the last page. maxPages bounds the
// loop against a server that never stops handing out tokens.
func getAll[T any](ctx context.Context, c *apiClient, path string) ([]T, error) {
	const maxPages = 100
	var all []T
	pos := ""
	for i := 0; i < maxPages; i++ {
		u, err := url.Parse(path)
		if err != nil {
			return nil, err
		}
		q := u.Query()
		q.Set("limit", "500")
		if pos != "" {
			q.Set("position", pos)
		}
		u.RawQuery = q.Encode()
		var p page[T]
		if err := c.get(ctx, u.String(), &p); err != nil {
			return nil, err
		}
		all = append(all, p.Item...)
		if p.Position == "" {
			return all, nil
		}
		pos = p.Position
	}
	return all, nil
}

func esc(s string) string { return url.PathEscape(s) }

func (c *apiClient) restAPIs(ctx context.Context) ([]*apigw.RestAPI, error) {
	return getAll[*apigw.RestAPI](ctx, c, "/restapis")
}

func (c *apiClient) restAPI(ctx context.Context, id string) (*apigw.RestAPI, error) {
	var api apigw.RestAPI
	return &api, c.get(ctx, "/restapis/"+esc(id), &api)
}

func (c *apiClient) resources(ctx context.Context, id string) ([]*apigw.Resource, error) {
	return getAll[*apigw.Resource](ctx, c, "/restapis/"+esc(id)+"/resources?embed=methods")
}

func (c *apiClient) deployments(ctx context.Context, id string) ([]*apigw.Deployment, error) {
	return getAll[*apigw.Deployment](ctx, c, "/restapis/"+esc(id)+"/deployments")
}

func (c *apiClient) deployment(ctx context.Context, id, dep string) (*apigw.Deployment, error) {
	var d apigw.Deployment
	return &d, c.get(ctx, "/restapis/"+esc(id)+"/deployments/"+esc(dep)+"?embed=apisummary", &d)
}

// stages uses GetStages, which is not paged: {"item":[...]}.
func (c *apiClient) stages(ctx context.Context, id string) ([]*apigw.Stage, error) {
	var p page[*apigw.Stage]
	return p.Item, c.get(ctx, "/restapis/"+esc(id)+"/stages", &p)
}

func (c *apiClient) stage(ctx context.Context, id, name string) (*apigw.Stage, error) {
	var st apigw.Stage
	return &st, c.get(ctx, "/restapis/"+esc(id)+"/stages/"+esc(name), &st)
}

func (c *apiClient) account(ctx context.Context) (*apigw.Account, error) {
	var a apigw.Account
	return &a, c.get(ctx, "/account", &a)
}

func (c *apiClient) tags(ctx context.Context, arn string) (map[string]string, error) {
	var t struct {
		Tags map[string]string `json:"tags"`
	}
	return t.Tags, c.get(ctx, "/tags/"+url.PathEscape(arn), &t)
}

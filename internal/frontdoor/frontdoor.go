// Package frontdoor dispatches every request arriving on Stagecoach's one
// endpoint to the service it is for, the way AWS's own front door tells
// them apart: by Host, by X-Amz-Target, or by path.
//
//	Host {id}.execute-api.*                   data plane, stage = first segment
//	/restapis/{id}/{stage}/_user_request_/... data plane, path form
//	X-Amz-Target: CloudApiService.*           Cloud Control API
//	X-Amz-Target: Logs_20140328.*             CloudWatch Logs subset
//	CloudWatch (monitoring) requests          metrics API, in its three protocols:
//	  X-Amz-Target: GraniteServiceVersion20100801.*   awsJson 1.0
//	  /service/GraniteServiceVersion20100801/...      Smithy RPC v2 CBOR
//	  POST / with a form body (Action=...)            awsQuery
//	/_stagecoach/health                       readiness
//	/metrics                                  Prometheus metrics
//	/console/...                              web console
//	anything else                             API Gateway control plane
package frontdoor

import (
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/stagecoach/stagecoach/internal/awsproto"
)

// unknownTarget answers an X-Amz-Target no service here speaks, in the
// awsJson 1.1 envelope the other awsJson services use.
var unknownTarget = awsproto.JSON{ContentType: "application/x-amz-json-1.1"}

// Invoker serves data-plane requests. restAPIID and stage come from the
// Host or the path form; path is the rest of the URL path, still escaped,
// starting with "/" ("/" for the root resource).
type Invoker interface {
	ServeInvoke(w http.ResponseWriter, r *http.Request, restAPIID, stage, path string)
}

// DomainRouter serves requests whose Host is a custom domain name and
// reports whether r was one (it answered it).
type DomainRouter interface {
	ServeDomain(w http.ResponseWriter, r *http.Request) bool
}

// Handler is the top-level http.Handler. Nil services answer 404.
type Handler struct {
	Invoke Invoker
	// Domains, when set, is asked first: a custom domain's Host is a
	// data-plane host, whatever its path, so it must not reach the
	// management plane (whose guard refuses unknown Hosts).
	Domains      DomainRouter
	ControlAPI   http.Handler
	CloudControl http.Handler
	Logs         http.Handler
	CloudWatch   http.Handler // the CloudWatch metrics API
	Metrics      http.Handler
	Console      http.Handler

	ready atomic.Bool
}

// SetReady marks the server ready; /_stagecoach/health answers 503 before.
func (h *Handler) SetReady(v bool) { h.ready.Store(v) }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.Domains != nil && h.Domains.ServeDomain(w, r) {
		return
	}
	if id, ok := executeAPIHost(r.Host); ok && h.Invoke != nil {
		stage, rest := splitStage(r.URL.EscapedPath())
		h.Invoke.ServeInvoke(w, r, id, stage, rest)
		return
	}
	path := r.URL.EscapedPath()
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		switch {
		case strings.HasPrefix(target, "CloudApiService."):
			serve(h.CloudControl, w, r)
		case strings.HasPrefix(target, "Logs_20140328."):
			serve(h.Logs, w, r)
		case strings.HasPrefix(target, cloudWatchService+"."):
			serve(h.CloudWatch, w, r)
		default:
			unknownTarget.WriteError(w, awsproto.Error{Status: http.StatusBadRequest,
				Type: "UnknownOperationException", Message: "Unknown operation " + target})
		}
		return
	}
	if id, stage, rest, ok := userRequestPath(path); ok && h.Invoke != nil {
		h.Invoke.ServeInvoke(w, r, id, stage, rest)
		return
	}
	switch {
	case strings.HasPrefix(path, "/service/"+cloudWatchService+"/"), isQueryRequest(r, path):
		serve(h.CloudWatch, w, r)
	case path == "/_stagecoach/health":
		h.health(w, r)
	case path == "/metrics":
		serve(h.Metrics, w, r)
	case path == "/console" || strings.HasPrefix(path, "/console/"):
		serve(h.Console, w, r)
	default:
		serve(h.ControlAPI, w, r)
	}
}

// DataPlane returns a handler for a listener that serves only the data
// plane (serve --gateway-listen): both invoke URL forms and the health
// check, as on the main endpoint. Everything else — control plane, Cloud
// Control, logs, metrics, console — answers 404 there, so that listener
// can be exposed to API callers without exposing the management APIs.
func (h *Handler) DataPlane() http.Handler { return dataPlane{h} }

type dataPlane struct{ h *Handler }

// notDataPlane is the 404 body of the data-plane listener.
const notDataPlane = `{"message":"Not a data-plane request: use Host {restApiId}.execute-api.* or the path /restapis/{restApiId}/{stage}/_user_request_/..."}`

func (d dataPlane) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := d.h
	if h.Domains != nil && h.Domains.ServeDomain(w, r) {
		return
	}
	if h.Invoke != nil {
		if id, ok := executeAPIHost(r.Host); ok {
			stage, rest := splitStage(r.URL.EscapedPath())
			h.Invoke.ServeInvoke(w, r, id, stage, rest)
			return
		}
		if id, stage, rest, ok := userRequestPath(r.URL.EscapedPath()); ok {
			h.Invoke.ServeInvoke(w, r, id, stage, rest)
			return
		}
	}
	if r.URL.Path == "/_stagecoach/health" {
		h.health(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(notDataPlane))
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	if !h.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}`))
}

// cloudWatchService is CloudWatch's Smithy service name, in its RPC v2
// CBOR paths and awsJson targets.
const cloudWatchService = "GraniteServiceVersion20100801"

// isQueryRequest recognises awsQuery: a form POSTed to "/". Of the
// services here only CloudWatch speaks it; the API Gateway control plane
// has no route at "/".
func isQueryRequest(r *http.Request, path string) bool {
	return path == "/" && r.Method == http.MethodPost &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

func serve(h http.Handler, w http.ResponseWriter, r *http.Request) {
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h.ServeHTTP(w, r)
}

// executeAPIHost reports whether host is "{restApiId}.execute-api.<anything>"
// and returns the lower-cased id (AWS ids are case-insensitive in hosts).
func executeAPIHost(host string) (string, bool) {
	i := strings.Index(host, ".execute-api.")
	if i <= 0 {
		return "", false
	}
	return strings.ToLower(host[:i]), true
}

// splitStage splits "/prod/pets/42" into "prod" and "/pets/42".
func splitStage(p string) (stage, rest string) {
	p = strings.TrimPrefix(p, "/")
	stage, rest, _ = strings.Cut(p, "/")
	return stage, "/" + rest
}

// userRequestPath parses the emulators' path form
// /restapis/{id}/{stage}/_user_request_/{path}. It is on every data-plane
// request's path, so it slices p instead of splitting it (no allocation
// unless the id has upper-case letters).
func userRequestPath(p string) (id, stage, rest string, ok bool) {
	const prefix = "/restapis/"
	if !strings.HasPrefix(p, prefix) {
		return "", "", "", false
	}
	id, after, ok1 := strings.Cut(p[len(prefix):], "/")
	stage, after, ok2 := strings.Cut(after, "/")
	marker, _, _ := strings.Cut(after, "/")
	if !ok1 || !ok2 || marker != "_user_request_" {
		return "", "", "", false
	}
	rest = "/"
	if len(after) > len(marker) {
		rest = after[len(marker):] // starts with the "/" after the marker
	}
	return strings.ToLower(id), stage, rest, true
}

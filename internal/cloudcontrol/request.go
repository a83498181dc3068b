package cloudcontrol

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/stagecoach/stagecoach/internal/awsproto"
	"github.com/stagecoach/stagecoach/internal/store"
)

// Operations and statuses of a ProgressEvent.
const (
	opCreate = "CREATE"
	opUpdate = "UPDATE"
	opDelete = "DELETE"

	statusInProgress = "IN_PROGRESS"
	statusSuccess    = "SUCCESS"
	statusFailed     = "FAILED"
)

// Record kinds in the store. Requests survive restarts so a client polling
// GetResourceRequestStatus gets the same answer after one.
const (
	kindRequest     = "cloudcontrol-request"
	kindClientToken = "cloudcontrol-client-token"
)

// requestRetention is how long AWS keeps resource operation requests
// ("Resource operation requests expire after 7 days").
const requestRetention = 7 * 24 * time.Hour

// progressEvent is Cloud Control's ProgressEvent.
type progressEvent struct {
	TypeName          string   `json:"TypeName,omitempty"`
	Identifier        string   `json:"Identifier,omitempty"`
	RequestToken      string   `json:"RequestToken,omitempty"`
	HooksRequestToken string   `json:"HooksRequestToken,omitempty"`
	Operation         string   `json:"Operation,omitempty"`
	OperationStatus   string   `json:"OperationStatus,omitempty"`
	EventTime         float64  `json:"EventTime,omitempty"`
	ResourceModel     string   `json:"ResourceModel,omitempty"`
	StatusMessage     string   `json:"StatusMessage,omitempty"`
	ErrorCode         string   `json:"ErrorCode,omitempty"`
	RetryAfter        *float64 `json:"RetryAfter,omitempty"`
}

// requestRecord is what the store keeps per request token.
type requestRecord struct {
	Event       progressEvent `json:"event"`
	ClientToken string        `json:"clientToken,omitempty"`
	Fingerprint string        `json:"fingerprint,omitempty"`
}

// clientTokenRecord maps a client token to the request it started.
type clientTokenRecord struct {
	RequestToken string `json:"requestToken"`
	Fingerprint  string `json:"fingerprint"`
}

func epochSeconds(t time.Time) float64 {
	return math.Round(float64(t.UnixMilli())) / 1000
}

// fingerprint identifies a request's content, so a reused client token can
// be told apart from a retry of the same request.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mutation is one CreateResource/UpdateResource/DeleteResource call.
type mutation struct {
	Operation   string
	TypeName    string
	Identifier  string // known in advance, or "" until run returns it
	ClientToken string
	Fingerprint string
	// Run performs the change. It returns the identifier (when it was not
	// known in advance), the resulting model (JSON, "" for none) and the
	// handler error, which becomes a FAILED event.
	Run func(ctx context.Context) (identifier, model string, err error)
}

// execute records a mutation's request, runs it and stores its outcome.
// A retry with the same client token and the same content returns the
// first request's event without running anything again.
func (s *Server) execute(ctx context.Context, m mutation) (*progressEvent, error) {
	var (
		rec    requestRecord
		replay bool
	)
	err := s.svc.Store.Update(ctx, func(tx store.Tx) error {
		if m.ClientToken != "" {
			b, err := tx.Record(kindClientToken, m.ClientToken)
			switch {
			case err == nil:
				var ct clientTokenRecord
				if err := json.Unmarshal(b, &ct); err != nil {
					return err
				}
				if ct.Fingerprint != m.Fingerprint {
					return errClientTokenConflict(m.ClientToken)
				}
				r, err := loadRequest(tx, ct.RequestToken)
				if err != nil {
					return err
				}
				rec, replay = *r, true
				return nil
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		rec = requestRecord{
			Event: progressEvent{
				TypeName:        m.TypeName,
				Identifier:      m.Identifier,
				RequestToken:    awsproto.NewRequestID(),
				Operation:       m.Operation,
				OperationStatus: statusInProgress,
				EventTime:       epochSeconds(s.now()),
			},
			ClientToken: m.ClientToken,
			Fingerprint: m.Fingerprint,
		}
		if m.ClientToken != "" {
			b, _ := json.Marshal(clientTokenRecord{RequestToken: rec.Event.RequestToken, Fingerprint: m.Fingerprint})
			if err := tx.PutRecord(kindClientToken, m.ClientToken, b); err != nil {
				return err
			}
		}
		return putRequest(tx, &rec)
	})
	if err != nil {
		return nil, err
	}
	if replay {
		return s.withLiveness(&rec.Event), nil
	}

	token := rec.Event.RequestToken
	release, err := s.claim(m.TypeName, m.Identifier, token)
	if err != nil {
		// Nothing ran: forget the request so the client token can be
		// retried once the other operation is over.
		_ = s.svc.Store.Update(context.Background(), func(tx store.Tx) error {
			if m.ClientToken != "" {
				_ = tx.DeleteRecord(kindClientToken, m.ClientToken)
			}
			return tx.DeleteRecord(kindRequest, token)
		})
		return nil, err
	}
	defer release()

	id, model, runErr := m.Run(ctx)
	if id != "" {
		rec.Event.Identifier = id
	}
	s.finish(&rec, model, m.Operation, runErr)
	return &rec.Event, nil
}

// finish sets the request's final status and stores it. If storing fails
// the event returned to the client is still the truth; a later status poll
// then sees the request as interrupted.
func (s *Server) finish(rec *requestRecord, model, op string, runErr error) {
	ev := &rec.Event
	ev.EventTime = epochSeconds(s.now())
	if runErr == nil {
		ev.OperationStatus = statusSuccess
		ev.ResourceModel = model
	} else {
		ev.OperationStatus = statusFailed
		ev.ErrorCode, ev.StatusMessage = errorCodeFor(runErr, op)
		if ev.ErrorCode == "InternalFailure" {
			slog.Error("cloud control: handler failed", "type", ev.TypeName, "identifier", ev.Identifier, "err", runErr)
		}
	}
	// Record the outcome even if the client has gone away.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.svc.Store.Update(ctx, func(tx store.Tx) error { return putRequest(tx, rec) }); err != nil {
		slog.Error("cloud control: storing request outcome", "token", ev.RequestToken, "err", err)
	}
}

func putRequest(tx store.Tx, rec *requestRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.PutRecord(kindRequest, rec.Event.RequestToken, b)
}

func loadRequest(tx store.Tx, token string) (*requestRecord, error) {
	b, err := tx.Record(kindRequest, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRequestTokenNotFound(token)
	}
	if err != nil {
		return nil, err
	}
	var rec requestRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// claim marks a resource as having an operation in progress, so a second
// mutation of the same resource meanwhile gets ConcurrentOperationException
// as on AWS. The message names the running request's token, which Alchemy
// extracts to wait for it.
func (s *Server) claim(typeName, identifier, token string) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := typeName + "|" + identifier
	if identifier != "" {
		if other, busy := s.resources[key]; busy {
			return nil, ccErr("ConcurrentOperationException", http.StatusConflict,
				"Resource of type '%s' with identifier '%s' already has an operation in progress with RequestToken %s",
				typeName, identifier, other)
		}
		s.resources[key] = token
	}
	s.inflight[token] = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.inflight, token)
		if identifier != "" {
			delete(s.resources, key)
		}
	}, nil
}

// withLiveness reports a stored IN_PROGRESS request that no goroutine of
// this process is running — it was cut short by a restart — as FAILED.
func (s *Server) withLiveness(ev *progressEvent) *progressEvent {
	if ev.OperationStatus != statusInProgress {
		return ev
	}
	s.mu.Lock()
	running := s.inflight[ev.RequestToken]
	s.mu.Unlock()
	if running {
		return ev
	}
	out := *ev
	out.OperationStatus = statusFailed
	out.ErrorCode = "ServiceInternalError"
	out.StatusMessage = "The request was interrupted by a restart of the server; its outcome is unknown. Read the resource to see its state."
	return &out
}

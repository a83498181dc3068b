// Package store defines how Stagecoach persists its domain objects. The
// embedded SQLite implementation lives in store/sqlite; a PostgreSQL one
// for cluster mode must pass the same contract suite in store/storetest.
package store

import (
	"context"
	"errors"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// ErrNotFound is returned by Tx getters when the object does not exist.
var ErrNotFound = errors.New("store: not found")

// Store persists REST APIs, deployments, stages and the account. Every
// mutation happens inside Update, which is all-or-nothing and serialised
// against other Updates, so a read-modify-write inside one Update never
// loses a concurrent change.
type Store interface {
	// View runs fn against a consistent read-only view.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction. If fn returns an error,
	// nothing it wrote is kept. Subscribers are told about the changes only
	// after the transaction commits.
	Update(ctx context.Context, fn func(Tx) error) error
	// Subscribe registers fn to be called, after each committed Update, with
	// what changed. It returns a function that cancels the subscription.
	// fn runs on the committing goroutine and must not block.
	Subscribe(fn func(Change)) (cancel func())
	Close() error
}

// Change says which part of the configuration a committed Update touched.
// The data plane recompiles what it names.
type Change struct {
	// RestAPIIDs lists the APIs whose definition, deployments or stages
	// changed.
	RestAPIIDs []string
	// Account is true when the account settings changed.
	Account bool
	// UsagePlans is true when API keys, usage plans or their
	// associations changed (store/usage.go).
	UsagePlans bool
	// Domains is true when custom domain names or their base path
	// mappings changed (domains.go).
	Domains bool
}

// Tx is one transaction's view of the store. Objects returned are copies:
// mutating them changes nothing until they are written back with a Put.
type Tx interface {
	RestAPI(id string) (*apigw.RestAPI, error)
	// RestAPIs returns every API ordered by creation date, then insertion.
	RestAPIs() ([]*apigw.RestAPI, error)
	// PutRestAPI creates or replaces an API together with its resources.
	PutRestAPI(api *apigw.RestAPI) error
	// DeleteRestAPI removes an API with its deployments and stages.
	DeleteRestAPI(id string) error

	// Deployment returns a deployment with its snapshot.
	Deployment(restAPIID, id string) (*apigw.Deployment, error)
	// Deployments returns an API's deployments (with snapshots) ordered by
	// creation date, then insertion: dates have whole-second precision, and
	// "the latest deployment" must be the one created last.
	Deployments(restAPIID string) ([]*apigw.Deployment, error)
	PutDeployment(restAPIID string, d *apigw.Deployment) error
	DeleteDeployment(restAPIID, id string) error

	Stage(restAPIID, name string) (*apigw.Stage, error)
	// Stages returns an API's stages ordered by name.
	Stages(restAPIID string) ([]*apigw.Stage, error)
	PutStage(restAPIID string, s *apigw.Stage) error
	DeleteStage(restAPIID, name string) error

	// Account returns the account settings, AWS's defaults if never set.
	Account() (*apigw.Account, error)
	PutAccount(a *apigw.Account) error

	// Record and PutRecord keep small opaque documents for other services
	// (Cloud Control request status, for one), by kind and key.
	Record(kind, key string) ([]byte, error)
	// Records returns all documents of a kind ordered by insertion.
	Records(kind string) ([][]byte, error)
	PutRecord(kind, key string, doc []byte) error
	DeleteRecord(kind, key string) error

	UsageTx // API keys and usage plans (usage.go)
}

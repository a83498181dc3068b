package gateway

import (
	"log/slog"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/modelschema"
)

// table is everything the data plane serves, immutable once published:
// a request loads it with one atomic read and never takes a lock. A
// change builds a new table (sharing the unchanged APIs) and swaps it in.
type table struct {
	apis map[string]*apiRuntime // by lower-case rest API id
}

// apiRuntime is one REST API's compiled stages.
type apiRuntime struct {
	id     string
	stages map[string]*stageRuntime // by stage name (case-sensitive)
}

// stageRuntime is the runtime snapshot of one stage: the deployment it
// serves compiled with its variables, and the canary when there is one.
type stageRuntime struct {
	apiID string
	name  string
	stage *apigw.Stage // the stage document this snapshot was built from

	prod          *variant // nil when the stage has no (existing) deployment
	canary        *variant // nil without canarySettings
	canaryPercent float64
	roll          func() float64  // the canary draw in [0, 1) (canary.go)
	tel           *stageTelemetry // recorder handles; nil without a recorder (telemetry.go)
}

// pick chooses the variant that serves one request: the canary with
// probability percentTraffic/100 (data-plane.md §6), else production.
func (s *stageRuntime) pick() *variant {
	if s.canary != nil && s.canaryPercent > 0 && s.roll()*100 < s.canaryPercent {
		return s.canary
	}
	return s.prod
}

// eachMethod calls fn for every compiled method of the stage, production
// and canary.
func (s *stageRuntime) eachMethod(fn func(*method)) {
	for _, v := range [...]*variant{s.prod, s.canary} {
		if v != nil {
			walkMethods(v.root, fn)
		}
	}
}

// variant is a deployment compiled for a stage with one set of stage
// variables: the production deployment with the stage's variables, or the
// canary deployment with the canary's overrides on top.
type variant struct {
	apiID        string
	stageName    string
	stage        *apigw.Stage
	deploymentID string
	canary       bool
	vars         map[string]string
	root         *node
	// disabled mirrors the snapshot's disableExecuteApiEndpoint: AWS
	// applies that flag only once the API is redeployed.
	disabled         bool
	binaryMediaTypes []string
	// snapshot is the deployment's content; schemas its models, compiled
	// when the first method that validates bodies is compiled (validation.go).
	snapshot *apigw.Snapshot
	schemas  *modelschema.Set
	// responses are the deployment's gateway response customizations;
	// nil when it has none (customresponse.go).
	responses *customResponses
	log       *slog.Logger // the gateway's, for failures at request time
	// authorizers are the deployment's; lambdaAuthorizers those compiled
	// for this variant, shared by its methods (authstep.go).
	authorizers        map[string]*apigw.Authorizer
	lambdaAuthorizers  map[string]*lambdaAuthorizer
	cognitoAuthorizers map[string]*cognitoAuthorizer
}

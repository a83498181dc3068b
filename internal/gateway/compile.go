package gateway

import (
	"errors"
	"log/slog"
	"maps"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// compiler turns stored configuration into runtime snapshots. It runs off
// the request path; everything it produces is immutable.
type compiler struct {
	g   *Gateway
	log *slog.Logger
}

// compileAPI builds the runtime form of every stage of one API, or nil if
// the API no longer exists.
func (c *compiler) compileAPI(tx store.Tx, apiID string) (*apiRuntime, error) {
	api, err := tx.RestAPI(apiID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	stages, err := tx.Stages(apiID)
	if err != nil {
		return nil, err
	}
	deployments := map[string]*apigw.Deployment{}
	deployment := func(id string) (*apigw.Deployment, error) {
		if id == "" {
			return nil, nil
		}
		if d, ok := deployments[id]; ok {
			return d, nil
		}
		d, err := tx.Deployment(apiID, id)
		if errors.Is(err, store.ErrNotFound) {
			d, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		deployments[id] = d
		return d, nil
	}
	rt := &apiRuntime{id: apiID, stages: make(map[string]*stageRuntime, len(stages))}
	for _, s := range stages {
		sr := &stageRuntime{apiID: apiID, name: s.StageName, stage: s, roll: c.canaryRoll()}
		d, err := deployment(s.DeploymentID)
		if err != nil {
			return nil, err
		}
		if d != nil && d.Snapshot != nil {
			sr.prod = c.compileVariant(apiID, s, d, s.Variables, false)
		}
		if cs := s.CanarySettings; cs != nil && sr.prod != nil {
			cd := d
			if cs.DeploymentID != "" {
				if cd, err = deployment(cs.DeploymentID); err != nil {
					return nil, err
				}
			}
			if cd != nil && cd.Snapshot != nil {
				vars := maps.Clone(s.Variables)
				if vars == nil {
					vars = map[string]string{}
				}
				maps.Copy(vars, cs.StageVariableOverrides)
				sr.canary = c.compileVariant(apiID, s, cd, vars, true)
				sr.canaryPercent = cs.PercentTraffic
			}
		}
		c.attachTelemetry(sr, api.Name)
		rt.stages[s.StageName] = sr
	}
	return rt, nil
}

// compileVariant compiles a deployment's resource tree for one stage and
// one set of stage variables. Stage variables are substituted here, once,
// so no request ever expands ${stageVariables.x} itself.
func (c *compiler) compileVariant(apiID string, s *apigw.Stage, d *apigw.Deployment, vars map[string]string, canary bool) *variant {
	v := &variant{
		apiID:            apiID,
		stageName:        s.StageName,
		stage:            s,
		deploymentID:     d.ID,
		canary:           canary,
		vars:             vars,
		disabled:         d.Snapshot.DisableExecuteAPIEndpoint,
		binaryMediaTypes: d.Snapshot.BinaryMediaTypes,
		snapshot:         d.Snapshot,
		log:              c.log,
		authorizers:      d.Snapshot.Authorizers,
	}
	var errs []error
	v.responses, errs = compileCustomResponses(d.Snapshot.GatewayResponses, vars)
	for _, err := range errs {
		c.log.Warn("gateway response parameter skipped", "rest_api_id", apiID, "stage", s.StageName, "error", err)
	}
	v.root = buildTree(d.Snapshot.Resources, func(r *apigw.Resource, verb string, am *apigw.Method) *method {
		m := &method{
			verb:              verb,
			resourceID:        r.ID,
			resourcePath:      r.Path,
			settingKey:        apigw.MethodSettingKey(r.Path, verb),
			escapedSettingKey: apigw.EscapedMethodSettingKey(r.Path, verb),
		}
		m.serve = c.pipeline(v, m, am)
		return m
	})
	return v
}

// warn logs a configuration problem found while compiling a method; the
// method then answers with a gateway error instead of failing the whole
// stage.
func (c *compiler) warn(v *variant, m *method, msg string, args ...any) {
	c.log.Warn(msg, append([]any{"rest_api_id", v.apiID, "stage", v.stageName,
		"deployment_id", v.deploymentID, "resource", m.resourcePath, "method", m.verb}, args...)...)
}

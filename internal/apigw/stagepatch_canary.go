package apigw

import "strings"

// Canary paths (update-stage-patch.md §2.3).
const (
	pathCanaryPercent        = "/canarySettings/percentTraffic"
	pathCanaryUseStageCache  = "/canarySettings/useStageCache"
	pathCanaryOverridePrefix = "/canarySettings/stageVariableOverrides/"
)

// isKnownCanaryPath reports whether path is one of the canary fields AWS
// accepts (an override needs a non-empty name).
func isKnownCanaryPath(path string) bool {
	switch path {
	case pathCanaryPercent, pathCanaryDeploymentID, pathCanaryUseStageCache:
		return true
	}
	return strings.HasPrefix(path, pathCanaryOverridePrefix) && len(path) > len(pathCanaryOverridePrefix)
}

// applyCanary handles every non-copy operation on /canarySettings paths.
// Op rules and texts are AWS's as recorded by LocalStack's parity tests,
// except that "remove" of one override is accepted, as the AWS canary guide
// shows it.
func applyCanary(st *Stage, op PatchOperation, env StagePatchEnv) error {
	if op.Path == pathCanary && op.Op == OpRemove {
		st.CanarySettings = nil
		return nil
	}
	known := isKnownCanaryPath(op.Path)
	if op.Op == OpRemove && known && strings.HasPrefix(op.Path, pathCanaryOverridePrefix) {
		if c := st.CanarySettings; c != nil {
			delete(c.StageVariableOverrides, op.Path[len(pathCanaryOverridePrefix):])
			if len(c.StageVariableOverrides) == 0 {
				c.StageVariableOverrides = nil
			}
		}
		return nil
	}
	if op.Op != OpReplace {
		if known {
			return invalidOp(op)
		}
		return stageBadRequest("Cannot " + op.Op + " method setting " + strings.TrimPrefix(op.Path, "/") +
			" because there is no method setting for this method ")
	}
	if !known {
		if op.Path == pathCanaryOverrides {
			// The whole map cannot be replaced by one string value.
			return invalidOp(op)
		}
		return invalidPath(op.Path)
	}

	// Validate the value before a canary is created, so a rejected
	// operation never leaves a default canary behind.
	var (
		percent  float64
		useCache bool
		err      error
	)
	switch {
	case op.Path == pathCanaryPercent:
		if percent, err = parseNumberValue(op.Path, op.Value); err != nil {
			return err
		}
		if err := ValidateCanaryPercent(percent); err != nil {
			return err
		}
	case op.Path == pathCanaryDeploymentID:
		if op.Value == "" || !env.deploymentExists(op.Value) {
			return stageBadRequest(MsgDeploymentMissing)
		}
	case op.Path == pathCanaryUseStageCache:
		if useCache, err = parseBoolValue(op.Path, op.Value); err != nil {
			return err
		}
	default:
		name := op.Path[len(pathCanaryOverridePrefix):]
		if err := ValidateVariableName(name); err != nil {
			return err
		}
		if err := ValidateVariableValue(op.Value); err != nil {
			return err
		}
	}

	// Creating a canary by patch fills AWS's defaults: the stage's own
	// deployment, 0% of the traffic, no shared cache.
	c := st.CanarySettings
	if c == nil {
		c = &CanarySettings{DeploymentID: st.DeploymentID}
		st.CanarySettings = c
	}
	switch {
	case op.Path == pathCanaryPercent:
		c.PercentTraffic = percent
	case op.Path == pathCanaryDeploymentID:
		c.DeploymentID = op.Value
	case op.Path == pathCanaryUseStageCache:
		c.UseStageCache = useCache
	default:
		name := op.Path[len(pathCanaryOverridePrefix):]
		if _, exists := c.StageVariableOverrides[name]; !exists && len(c.StageVariableOverrides) >= MaxStageVariables {
			return stageBadRequest(MsgTooManyVariables)
		}
		if c.StageVariableOverrides == nil {
			c.StageVariableOverrides = map[string]string{}
		}
		c.StageVariableOverrides[name] = op.Value
	}
	return nil
}

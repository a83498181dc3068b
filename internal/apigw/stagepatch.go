package apigw

import "strings"

// StagePatchEnv is what the UpdateStage patch engine must look up outside
// the stage itself.
type StagePatchEnv struct {
	// DeploymentExists reports whether a deployment id exists in the API.
	// nil skips the check.
	DeploymentExists func(id string) bool
	// Resources is the resource tree of the stage's current deployment
	// snapshot, used to validate method-setting paths; nil skips that check.
	Resources map[string]*Resource
	// CloudwatchRoleArn is the account's role ARN; empty forbids enabling
	// execution or access logging.
	CloudwatchRoleArn string
	// AccountThrottle holds the account limits stage limits are checked
	// against. The zero value means AWS's default account limits.
	AccountThrottle ThrottleSettings
}

// accountLimits returns the account throttle limits in force.
func (env StagePatchEnv) accountLimits() ThrottleSettings {
	t := env.AccountThrottle
	if t.BurstLimit <= 0 {
		t.BurstLimit = DefaultAccountBurstLimit
	}
	if t.RateLimit <= 0 {
		t.RateLimit = DefaultAccountRateLimit
	}
	return t
}

func (env StagePatchEnv) deploymentExists(id string) bool {
	if env.DeploymentExists == nil {
		return true
	}
	return env.DeploymentExists(id)
}

// Stage-level patch paths (update-stage-patch.md §2.1).
const (
	pathDeploymentID        = "/deploymentId"
	pathDescription         = "/description"
	pathCacheClusterEnabled = "/cacheClusterEnabled"
	pathCacheClusterSize    = "/cacheClusterSize"
	pathClientCertificateID = "/clientCertificateId"
	pathAccessLogSettings   = "/accessLogSettings"
	pathAccessLogDest       = "/accessLogSettings/destinationArn"
	pathAccessLogFormat     = "/accessLogSettings/format"
	pathTracingEnabled      = "/tracingEnabled"
	pathVariablesPrefix     = "/variables/"
	pathVariables           = "/variables"
	pathCanary              = "/canarySettings"
	pathCanaryDeploymentID  = "/canarySettings/deploymentId"
	pathCanaryOverrides     = "/canarySettings/stageVariableOverrides"
)

// ApplyStagePatch applies UpdateStage patch operations to st in order,
// with AWS's validation and messages. It mutates st; on error st may be
// partly changed, so callers pass a copy and discard it on error (that is
// what makes a request all-or-nothing). It never sets LastUpdatedDate.
func ApplyStagePatch(st *Stage, ops []PatchOperation, env StagePatchEnv) error {
	accessLogTouched := false
	for _, op := range ops {
		if err := applyStageOp(st, op, env); err != nil {
			return err
		}
		if op.Op != OpRemove && strings.HasPrefix(op.Path, pathAccessLogSettings+"/") {
			accessLogTouched = true
		}
	}
	// Access logging to CloudWatch Logs needs the account's role, like
	// execution logging. Firehose destinations do not (API Gateway uses a
	// service-linked role for them). This is checked on the request's end
	// state so the destination and the format may come in either order.
	if accessLogTouched && st.AccessLogSettings != nil && env.CloudwatchRoleArn == "" &&
		!IsFirehoseARN(st.AccessLogSettings.DestinationArn) {
		return stageBadRequest(MsgLoggingRoleNeeded)
	}
	return nil
}

// invalidOp is AWS's text for an operation a path does not support
// (recorded for canary paths; used for every path for consistency).
func invalidOp(op PatchOperation) error {
	return stageBadRequest("Invalid " + op.Op + " operation with path: " + op.Path)
}

// applyStageOp applies one operation.
func applyStageOp(st *Stage, op PatchOperation, env StagePatchEnv) error {
	switch op.Op {
	case OpAdd, OpReplace, OpRemove, OpCopy, OpMove, OpTest:
	default:
		return invalidOp(op)
	}
	if op.Op == OpCopy {
		return applyPromotion(st, op, env)
	}
	// "add" is accepted wherever "replace" is and means the same: patch
	// values are always complete (U in AWS; LocalStack treats them alike).
	set := op.Op == OpAdd || op.Op == OpReplace
	switch {
	case op.Path == pathDeploymentID:
		if !set {
			return invalidOp(op)
		}
		return setDeploymentID(st, op.Value, env)
	case op.Path == pathDescription:
		switch {
		case set:
			st.Description = op.Value
		case op.Op == OpRemove:
			st.Description = ""
		default:
			return invalidOp(op)
		}
		return nil
	case op.Path == pathCacheClusterEnabled:
		if !set {
			return invalidOp(op)
		}
		on, err := parseBoolValue(op.Path, op.Value)
		if err != nil {
			return err
		}
		setCacheCluster(st, on)
		return nil
	case op.Path == pathCacheClusterSize:
		if !set {
			return invalidOp(op)
		}
		if err := ValidateCacheClusterSize(op.Value); err != nil {
			return err
		}
		// Resizing an enabled cache is allowed; AWS re-provisions it and
		// the cached entries are dropped (the data plane keys its cache by
		// stage, so a new size starts empty there too).
		st.CacheClusterSize = op.Value
		return nil
	case op.Path == pathClientCertificateID:
		switch {
		case set:
			st.ClientCertificateID = op.Value
		case op.Op == OpRemove:
			st.ClientCertificateID = ""
		default:
			return invalidOp(op)
		}
		return nil
	case op.Path == pathTracingEnabled:
		if !set {
			return invalidOp(op)
		}
		on, err := parseBoolValue(op.Path, op.Value)
		if err != nil {
			return err
		}
		st.TracingEnabled = on
		return nil
	case op.Path == pathAccessLogSettings, op.Path == pathAccessLogDest, op.Path == pathAccessLogFormat:
		return applyAccessLog(st, op, set)
	case strings.HasPrefix(op.Path, pathVariablesPrefix):
		return applyVariable(st, op, set)
	case op.Path == pathCanary || strings.HasPrefix(op.Path, pathCanary+"/"):
		return applyCanary(st, op, env)
	}
	return applyMethodSettingOp(st, op, env)
}

// setDeploymentID points the stage at another deployment. While a canary
// exists the stage may only move to the canary's own deployment (that is
// what promotion does); anything else must wait until the canary is
// removed, as the canary guide says.
func setDeploymentID(st *Stage, id string, env StagePatchEnv) error {
	if id == "" || !env.deploymentExists(id) {
		return stageBadRequest(MsgDeploymentMissing)
	}
	if st.CanarySettings != nil && id != st.DeploymentID && id != st.CanarySettings.DeploymentID {
		return stageBadRequest(MsgCanaryNonCanaryDeployment)
	}
	st.DeploymentID = id
	return nil
}

// setCacheCluster provisions or deletes the stage cache. Stagecoach's cache
// is in-process, so the transitional *_IN_PROGRESS states are skipped.
func setCacheCluster(st *Stage, on bool) {
	st.CacheClusterEnabled = on
	if on {
		st.CacheClusterStatus = CacheStatusAvailable
		if st.CacheClusterSize == "" {
			st.CacheClusterSize = CacheClusterSizes[0]
		}
		return
	}
	st.CacheClusterStatus = CacheStatusNotAvailable
}

// applyAccessLog handles /accessLogSettings (remove only) and its two
// fields (replace). The role-ARN requirement is checked by ApplyStagePatch
// on the final state.
func applyAccessLog(st *Stage, op PatchOperation, set bool) error {
	if op.Path == pathAccessLogSettings {
		if op.Op != OpRemove {
			return invalidOp(op)
		}
		st.AccessLogSettings = nil
		return nil
	}
	if !set {
		return invalidOp(op)
	}
	if op.Path == pathAccessLogDest {
		if err := ValidateAccessLogDestination(op.Value); err != nil {
			return err
		}
	} else if err := ValidateAccessLogFormat(op.Value); err != nil {
		return err
	}
	if st.AccessLogSettings == nil {
		st.AccessLogSettings = &AccessLogSettings{}
	}
	if op.Path == pathAccessLogDest {
		st.AccessLogSettings.DestinationArn = op.Value
	} else {
		st.AccessLogSettings.Format = op.Value
	}
	return nil
}

// applyVariable handles /variables/{name}. Removing a variable that does
// not exist is a no-op.
func applyVariable(st *Stage, op PatchOperation, set bool) error {
	name := op.Path[len(pathVariablesPrefix):]
	switch {
	case op.Op == OpRemove:
		delete(st.Variables, name)
		if len(st.Variables) == 0 {
			st.Variables = nil
		}
		return nil
	case !set:
		return invalidOp(op)
	}
	if err := ValidateVariableName(name); err != nil {
		return err
	}
	if err := ValidateVariableValue(op.Value); err != nil {
		return err
	}
	if _, exists := st.Variables[name]; !exists && len(st.Variables) >= MaxStageVariables {
		return stageBadRequest(MsgTooManyVariables)
	}
	if st.Variables == nil {
		st.Variables = map[string]string{}
	}
	st.Variables[name] = op.Value
	return nil
}

// applyPromotion handles the two copy operations that promote a canary
// (update-stage-patch.md §2.4). The canary itself stays.
func applyPromotion(st *Stage, op PatchOperation, env StagePatchEnv) error {
	toDeployment := op.Path == pathDeploymentID && op.From == pathCanaryDeploymentID
	toVariables := op.Path == pathVariables && op.From == pathCanaryOverrides
	if !toDeployment && !toVariables {
		return stageBadRequest(MsgInvalidCopy)
	}
	c := st.CanarySettings
	if c == nil {
		return stageBadRequest(MsgPromotionNoCanary)
	}
	if toDeployment {
		if c.DeploymentID == "" || !env.deploymentExists(c.DeploymentID) {
			return stageBadRequest(MsgDeploymentMissing)
		}
		st.DeploymentID = c.DeploymentID
		return nil
	}
	if len(c.StageVariableOverrides) == 0 {
		return nil
	}
	merged := make(map[string]string, len(st.Variables)+len(c.StageVariableOverrides))
	for k, v := range st.Variables {
		merged[k] = v
	}
	for k, v := range c.StageVariableOverrides {
		merged[k] = v
	}
	if len(merged) > MaxStageVariables {
		return stageBadRequest(MsgTooManyVariables)
	}
	st.Variables = merged
	return nil
}

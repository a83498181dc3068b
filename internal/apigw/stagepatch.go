package apigw

// TODO(helper E): implement; signature agreed with the backplane.

// StagePatchEnv is what the UpdateStage patch engine must look up outside
// the stage itself.
type StagePatchEnv struct {
	// DeploymentExists reports whether a deployment id exists in the API.
	DeploymentExists func(id string) bool
	// Resources is the resource tree of the stage's current deployment
	// snapshot, used to validate method-setting paths; nil skips that check.
	Resources map[string]*Resource
	// CloudwatchRoleArn is the account's role ARN; empty forbids enabling
	// execution or access logging.
	CloudwatchRoleArn string
	// AccountThrottle holds the account limits stage limits are checked
	// against.
	AccountThrottle ThrottleSettings
}

// ApplyStagePatch applies UpdateStage patch operations to st in order,
// with AWS's validation and messages. It mutates st; on error st may be
// partly changed, so callers pass a copy and discard it on error (that is
// what makes a request all-or-nothing).
func ApplyStagePatch(st *Stage, ops []PatchOperation, env StagePatchEnv) error {
	return BadRequest("UpdateStage is not implemented yet")
}

// ValidateStageName checks a stage name: [A-Za-z0-9_-]{1,128}.
func ValidateStageName(name string) error { return nil }

// ValidateVariables checks stage variable names and values and their count.
func ValidateVariables(vars map[string]string) error { return nil }

// ValidateCacheClusterSize checks a cacheClusterSize value.
func ValidateCacheClusterSize(size string) error { return nil }

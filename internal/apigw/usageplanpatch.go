package apigw

import (
	"slices"
	"strconv"
	"strings"
)

// UsagePlanPatchEnv is what UpdateUsagePlan looks up outside the plan.
type UsagePlanPatchEnv struct {
	// StageExists reports whether the API stage exists.
	StageExists func(apiID, stage string) bool
}

// usagePlanRemovePaths is AWS's list for an unsupported remove, verbatim
// with its "apidId" typo (boto3#2629).
var usagePlanRemovePaths = []string{"/apiStages", "/quota", "/throttle", "/productCode",
	"/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>", "/apiStages/<apidId:stageName>/throttle"}

// usagePlanReplacePaths lists the replace paths in the same style (U).
var usagePlanReplacePaths = []string{"/name", "/description", "/productCode", "/quota/limit", "/quota/offset",
	"/quota/period", "/throttle/burstLimit", "/throttle/rateLimit",
	"/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/burstLimit",
	"/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/rateLimit"}

// usagePlanAddPaths lists the add paths (U).
var usagePlanAddPaths = []string{"/apiStages"}

// ApplyUsagePlanPatch applies UpdateUsagePlan operations to p in order and
// validates the result. Stage bindings come and go with add/remove
// "/apiStages" and value "apiId:stage"; quota and throttle fields are
// replaced one by one (a missing quota or throttle is created with zero
// fields, then validated as a whole at the end). On error p may be partly
// changed: callers patch a copy. Whether p.Quota changed is reported so the
// caller can re-anchor the quota's initial period.
func ApplyUsagePlanPatch(p *UsagePlan, ops []PatchOperation, env UsagePlanPatchEnv) (quotaChanged bool, err error) {
	for _, op := range ops {
		q, err := applyUsagePlanOp(p, op, env)
		if err != nil {
			return false, err
		}
		quotaChanged = quotaChanged || q
	}
	return quotaChanged, ValidateUsagePlan(p)
}

func applyUsagePlanOp(p *UsagePlan, op PatchOperation, env UsagePlanPatchEnv) (bool, error) {
	switch op.Op {
	case OpAdd:
		if op.Path == "/apiStages" {
			return false, addPlanStage(p, op.Value, env)
		}
		if strings.HasPrefix(op.Path, "/apiStages/") {
			return false, patchStageThrottle(p, op)
		}
		return false, InvalidPatchPath(op, usagePlanAddPaths)
	case OpRemove:
		switch op.Path {
		case "/apiStages":
			i := planStageByRef(p, op.Value)
			if i < 0 {
				return false, BadRequest(MsgInvalidAPIStage)
			}
			p.APIStages = slices.Delete(p.APIStages, i, i+1)
			return false, nil
		case "/quota":
			p.Quota = nil
			return true, nil
		case "/throttle":
			p.Throttle = nil
			return false, nil
		case "/productCode":
			p.ProductCode = ""
			return false, nil
		}
		if strings.HasPrefix(op.Path, "/apiStages/") {
			return false, patchStageThrottle(p, op)
		}
		return false, InvalidPatchPath(op, usagePlanRemovePaths)
	case OpReplace:
		switch op.Path {
		case "/name":
			p.Name = op.Value
			return false, nil
		case "/description":
			p.Description = op.Value
			return false, nil
		case "/productCode":
			p.ProductCode = op.Value
			return false, nil
		case "/quota/limit", "/quota/offset":
			n, err := patchInt(op)
			if err != nil {
				return false, err
			}
			if p.Quota == nil {
				p.Quota = &QuotaSettings{}
			}
			if op.Path == "/quota/limit" {
				p.Quota.Limit = n
			} else {
				p.Quota.Offset = n
			}
			return true, nil
		case "/quota/period":
			if p.Quota == nil {
				p.Quota = &QuotaSettings{}
			}
			p.Quota.Period = op.Value
			return true, nil
		case "/throttle/burstLimit", "/throttle/rateLimit":
			if p.Throttle == nil {
				p.Throttle = &ThrottleSettings{}
			}
			return false, setThrottleField(p.Throttle, op)
		}
		if strings.HasPrefix(op.Path, "/apiStages/") {
			return false, patchStageThrottle(p, op)
		}
		return false, InvalidPatchPath(op, usagePlanReplacePaths)
	}
	return false, InvalidPatchPath(op, nil)
}

// addPlanStage binds the plan to the stage "apiId:stage". Binding a stage
// the plan already has changes nothing (U).
func addPlanStage(p *UsagePlan, ref string, env UsagePlanPatchEnv) error {
	apiID, stage, ok := strings.Cut(ref, ":")
	if !ok || apiID == "" || stage == "" || env.StageExists == nil || !env.StageExists(apiID, stage) {
		return ErrStageNotFound(ref)
	}
	if p.StageIndex(apiID, stage) >= 0 {
		return nil
	}
	p.APIStages = append(p.APIStages, APIStage{APIID: apiID, Stage: stage})
	return nil
}

func planStageByRef(p *UsagePlan, ref string) int {
	apiID, stage, ok := strings.Cut(ref, ":")
	if !ok {
		return -1
	}
	return p.StageIndex(apiID, stage)
}

// patchStageThrottle handles
// /apiStages/{apiId}:{stage}/throttle[/{resourcePath}/{method}[/{field}]].
// The resource path may be written with "~1" for "/" (JSON pointer) or
// plainly; either way the key is "/{path}/{METHOD}".
func patchStageThrottle(p *UsagePlan, op PatchOperation) error {
	rest := strings.TrimPrefix(op.Path, "/apiStages/")
	ref, after, ok := strings.Cut(rest, "/throttle")
	if !ok || (after != "" && !strings.HasPrefix(after, "/")) {
		return InvalidPatchPath(op, pathsFor(op.Op))
	}
	i := planStageByRef(p, ref)
	if i < 0 {
		return BadRequest(MsgInvalidAPIStage)
	}
	st := &p.APIStages[i]
	if after == "" {
		if op.Op != OpRemove {
			return InvalidPatchPath(op, pathsFor(op.Op))
		}
		st.Throttle = nil
		return nil
	}
	// after[0] is the separator; the key follows, its slashes written as
	// "~1" (JSON pointer) or plainly ("pets/GET" means "/pets/GET").
	key := strings.NewReplacer("~1", "/", "~0", "~").Replace(after[1:])
	field := ""
	if j := strings.LastIndexByte(key, '/'); j >= 0 && (key[j+1:] == "burstLimit" || key[j+1:] == "rateLimit") {
		key, field = key[:j], key[j+1:]
	}
	if !strings.HasPrefix(key, "/") {
		key = "/" + key
	}
	if _, _, ok := SplitMethodThrottleKey(key); !ok {
		return BadRequest(msgThrottleKey, key)
	}
	switch {
	case op.Op == OpRemove && field == "":
		if _, ok := st.Throttle[key]; !ok {
			return InvalidPatchPath(op, usagePlanRemovePaths)
		}
		delete(st.Throttle, key)
		if len(st.Throttle) == 0 {
			st.Throttle = nil
		}
		return nil
	case op.Op == OpRemove || field == "":
		return InvalidPatchPath(op, pathsFor(op.Op))
	}
	if st.Throttle == nil {
		st.Throttle = map[string]ThrottleSettings{}
	}
	ts := st.Throttle[key]
	if err := setThrottleField(&ts, PatchOperation{Op: op.Op, Path: "/" + field, Value: op.Value}); err != nil {
		return err
	}
	st.Throttle[key] = ts
	return nil
}

func pathsFor(op string) []string {
	switch op {
	case OpRemove:
		return usagePlanRemovePaths
	case OpAdd:
		return usagePlanAddPaths
	}
	return usagePlanReplacePaths
}

func setThrottleField(ts *ThrottleSettings, op PatchOperation) error {
	if strings.HasSuffix(op.Path, "burstLimit") {
		n, err := patchInt(op)
		if err != nil {
			return err
		}
		ts.BurstLimit = int(n)
		return nil
	}
	f, err := strconv.ParseFloat(op.Value, 64)
	if err != nil {
		return BadRequest("Invalid rate limit value specified: %s", op.Value)
	}
	ts.RateLimit = f
	return nil
}

func patchInt(op PatchOperation) (int64, error) {
	n, err := strconv.ParseInt(op.Value, 10, 64)
	if err != nil {
		return 0, BadRequest("Invalid value specified for %s: %s", op.Path, op.Value)
	}
	return n, nil
}

// usagePaths are UpdateUsage's paths per operation: only replace
// "/remaining" (U; the recorded answer to op "add" lists no path at all,
// boto3#2504).
var usagePaths = map[string][]string{OpReplace: {"/remaining"}}

// ParseUsagePatch reads UpdateUsage's operations: the last replace of
// "/remaining" sets the key's remaining quota for the current period.
func ParseUsagePatch(ops []PatchOperation) (remaining int64, err error) {
	found := false
	for _, op := range ops {
		if op.Op != OpReplace || op.Path != "/remaining" {
			return 0, InvalidPatchPath(op, usagePaths[op.Op])
		}
		n, err := strconv.ParseInt(op.Value, 10, 64)
		if err != nil || n < 0 {
			return 0, BadRequest("Invalid remaining quota specified: %s", op.Value)
		}
		remaining, found = n, true
	}
	if !found {
		return 0, BadRequest("Invalid patch operations specified. Must be one of: [replace /remaining]")
	}
	return remaining, nil
}

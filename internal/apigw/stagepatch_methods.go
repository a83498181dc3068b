package apigw

import (
	"strconv"
	"strings"
)

// msgInvalidPathTail is the list AWS prints after an unknown UpdateStage
// path, byte for byte: the missing ", " separators around the throttling
// and ttl entries are AWS's own (recorded by LocalStack snapshot tests).
const msgInvalidPathTail = ". Must be one of: [/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]"

// invalidPath is AWS's error for a path UpdateStage does not know. The
// path is echoed exactly as sent (still ~1-escaped).
func invalidPath(path string) error {
	return stageBadRequest("Invalid method setting path: " + path + msgInvalidPathTail)
}

// Logging levels and cache-control strategies a method setting accepts.
var (
	LoggingLevels = []string{"OFF", "ERROR", "INFO"}
	// UnauthorizedCacheControlStrategies are the values of
	// unauthorizedCacheControlHeaderStrategy.
	UnauthorizedCacheControlStrategies = []string{"FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"}
)

// Defaults of a method setting entry created by UpdateStage (observed in
// get-stage output of real stages).
const (
	DefaultCacheTTLSeconds                  = 300
	DefaultLoggingLevel                     = "OFF"
	DefaultUnauthorizedCacheControlStrategy = "SUCCEED_WITH_RESPONSE_HEADER"
)

// UnthrottledLimit is the throttling value that switches a level's limit
// off. Terraform sends -1 for "not set"; it is stored as is and the data
// plane treats any negative limit as "no limit at this level" (the account
// limit still applies).
const UnthrottledLimit = -1

// NewMethodSetting returns the full entry AWS materialises when UpdateStage
// first writes a method setting: throttling at the account limits, a 300 s
// cache TTL, logging OFF, and the console's cache-control defaults.
func NewMethodSetting(account ThrottleSettings) MethodSetting {
	if account.BurstLimit <= 0 {
		account.BurstLimit = DefaultAccountBurstLimit
	}
	if account.RateLimit <= 0 {
		account.RateLimit = DefaultAccountRateLimit
	}
	return MethodSetting{
		LoggingLevel:                           DefaultLoggingLevel,
		ThrottlingBurstLimit:                   account.BurstLimit,
		ThrottlingRateLimit:                    account.RateLimit,
		CacheTTLInSeconds:                      DefaultCacheTTLSeconds,
		RequireAuthorizationForCacheControl:    true,
		UnauthorizedCacheControlHeaderStrategy: DefaultUnauthorizedCacheControlStrategy,
	}
}

// methodSettingTarget is a parsed method-setting patch path.
type methodSettingTarget struct {
	key          string // methodSettings map key, "pets/{id}/GET" or "*/*"
	resourcePath string // "/pets/{id}"; empty for the wildcard
	verb         string
}

// methodSettingVerbs are the verbs a method-setting path may name.
var methodSettingVerbs = map[string]bool{
	"GET": true, "PUT": true, "POST": true, "DELETE": true, "PATCH": true,
	"OPTIONS": true, "HEAD": true, "ANY": true, "*": true,
}

// parseMethodTarget parses the "{resourcePath}/{httpMethod}" segments of a
// method-setting path. The resource path is normally one segment with "/"
// written "~1" ("~1pets~1{id}"); Terraform sends the raw path instead
// ("pets/{id}"), so every segment before the verb belongs to it. "~1" and
// "~0" decode to "/" and "~"; the key is the decoded path without its
// leading slash plus "/VERB" (Stage.MethodSettingFor looks keys up that
// way), and "*/*" for the wildcard.
func parseMethodTarget(segs []string) (methodSettingTarget, bool) {
	if len(segs) < 2 {
		return methodSettingTarget{}, false
	}
	verb := segs[len(segs)-1]
	raw := strings.Join(segs[:len(segs)-1], "/")
	if !methodSettingVerbs[verb] || raw == "" {
		return methodSettingTarget{}, false
	}
	if raw == "*" || verb == "*" {
		if raw == "*" && verb == "*" {
			return methodSettingTarget{key: WildcardMethodKey, verb: "*"}, true
		}
		return methodSettingTarget{}, false
	}
	decoded := strings.ReplaceAll(strings.ReplaceAll(raw, "~1", "/"), "~0", "~")
	if !strings.HasPrefix(decoded, "/") {
		decoded = "/" + decoded
	}
	if strings.Contains(decoded, "//") || len(decoded) > 1 && strings.HasSuffix(decoded, "/") {
		return methodSettingTarget{}, false
	}
	return methodSettingTarget{key: MethodSettingKey(decoded, verb), resourcePath: decoded, verb: verb}, true
}

// existsIn reports whether the target names a method of the deployment's
// resource tree: the resource exists and has the verb or ANY. The wildcard
// always exists.
func (t methodSettingTarget) existsIn(resources map[string]*Resource) bool {
	if t.key == WildcardMethodKey {
		return true
	}
	for _, r := range resources {
		if r == nil || r.Path != t.resourcePath {
			continue
		}
		if _, ok := r.ResourceMethods[t.verb]; ok {
			return true
		}
		if _, ok := r.ResourceMethods["ANY"]; ok {
			return true
		}
	}
	return false
}

// cannotRemove is AWS's text for removing what is not a method setting
// entry; note the trailing space. The name is the path as sent without its
// leading slash ("*/*" for the wildcard entry).
func cannotRemove(op PatchOperation) error {
	return stageBadRequest("Cannot " + op.Op + " method setting " + strings.TrimPrefix(op.Path, "/") +
		" because there is no method setting for this method ")
}

// methodSettingFields are the "{group}/{setting}" suffixes of §2.2.
var methodSettingFields = map[string]bool{
	"metrics/enabled":                                true,
	"logging/loglevel":                               true,
	"logging/dataTrace":                              true,
	"throttling/burstLimit":                          true,
	"throttling/rateLimit":                           true,
	"caching/enabled":                                true,
	"caching/ttlInSeconds":                           true,
	"caching/dataEncrypted":                          true,
	"caching/requireAuthorizationForCacheControl":    true,
	"caching/unauthorizedCacheControlHeaderStrategy": true,
}

// applyMethodSettingOp handles /{rp}/{m}/{group}/{setting} and the removal
// of a whole entry /{rp}/{m}. Anything else is an invalid path.
func applyMethodSettingOp(st *Stage, op PatchOperation, env StagePatchEnv) error {
	if !strings.HasPrefix(op.Path, "/") {
		return invalidPath(op.Path)
	}
	segs := strings.Split(op.Path[1:], "/")

	// remove /{rp}/{m}: delete the whole entry.
	if op.Op == OpRemove {
		if t, ok := parseMethodTarget(segs); ok {
			if _, exists := st.MethodSettings[t.key]; !exists {
				return cannotRemove(op)
			}
			delete(st.MethodSettings, t.key)
			return nil
		}
	}

	if len(segs) < 4 {
		return invalidPath(op.Path)
	}
	field := segs[len(segs)-2] + "/" + segs[len(segs)-1]
	t, ok := parseMethodTarget(segs[:len(segs)-2])
	if !ok || !methodSettingFields[field] {
		return invalidPath(op.Path)
	}
	switch op.Op {
	case OpAdd, OpReplace:
	case OpRemove:
		// AWS removes only whole entries, never one field.
		return cannotRemove(op)
	default:
		return invalidOp(op)
	}
	if env.Resources != nil && !t.existsIn(env.Resources) {
		return invalidPath(op.Path)
	}

	// Parse and check the value before touching the stage.
	ms, exists := st.MethodSettings[t.key]
	if !exists {
		ms = newEntryFor(st, t, env)
	}
	if err := setMethodField(&ms, field, op, env); err != nil {
		return err
	}
	if st.MethodSettings == nil {
		st.MethodSettings = map[string]MethodSetting{}
	}
	st.MethodSettings[t.key] = ms
	return nil
}

// newEntryFor returns the entry a first write to a method-setting key
// starts from.
//
// Design: Stage.MethodSettingFor resolves whole entries (a method's own
// entry, else "*/*", else built-in defaults) rather than field by field.
// For that to give the console's "Override for this method" behaviour - the
// method keeps every stage-wide value except the ones overridden - a new
// method entry starts as a copy of the current "*/*" entry, exactly what the
// console shows pre-filled when the override box is ticked. Without a "*/*"
// entry it starts from AWS's materialised defaults, as does "*/*" itself.
// Later changes to "*/*" do not flow into existing overrides; that matches
// AWS, whose get-stage shows each entry with all fields filled.
func newEntryFor(st *Stage, t methodSettingTarget, env StagePatchEnv) MethodSetting {
	if t.key != WildcardMethodKey {
		if base, ok := st.MethodSettings[WildcardMethodKey]; ok {
			return base
		}
	}
	return NewMethodSetting(env.AccountThrottle)
}

// setMethodField parses op.Value for one field and stores it in ms.
func setMethodField(ms *MethodSetting, field string, op PatchOperation, env StagePatchEnv) error {
	switch field {
	case "metrics/enabled":
		return setBool(&ms.MetricsEnabled, op)
	case "caching/enabled":
		return setBool(&ms.CachingEnabled, op)
	case "caching/dataEncrypted":
		return setBool(&ms.CacheDataEncrypted, op)
	case "caching/requireAuthorizationForCacheControl":
		return setBool(&ms.RequireAuthorizationForCacheControl, op)
	case "logging/dataTrace":
		on, err := parseBoolValue(op.Path, op.Value)
		if err != nil {
			return err
		}
		if on && env.CloudwatchRoleArn == "" {
			return stageBadRequest(MsgLoggingRoleNeeded)
		}
		ms.DataTraceEnabled = on
	case "logging/loglevel":
		if !stageContains(LoggingLevels, op.Value) {
			return stageBadRequest("Invalid value '" + op.Value + "' specified for " + op.Path + ". Must be one of: [" + strings.Join(LoggingLevels, ", ") + "]")
		}
		if op.Value != "OFF" && env.CloudwatchRoleArn == "" {
			return stageBadRequest(MsgLoggingRoleNeeded)
		}
		ms.LoggingLevel = op.Value
	case "caching/unauthorizedCacheControlHeaderStrategy":
		if !stageContains(UnauthorizedCacheControlStrategies, op.Value) {
			return stageBadRequest("Invalid value '" + op.Value + "' specified for " + op.Path + ". Must be one of: [" + strings.Join(UnauthorizedCacheControlStrategies, ", ") + "]")
		}
		ms.UnauthorizedCacheControlHeaderStrategy = op.Value
	case "caching/ttlInSeconds":
		n, err := parseIntValue(op.Path, op.Value)
		if err != nil {
			return err
		}
		if n < 0 || n > MaxCacheTTLSeconds {
			return stageBadRequest("Invalid value '" + op.Value + "' specified for " + op.Path + ". Cache time-to-live must be between 0 and 3600 seconds")
		}
		ms.CacheTTLInSeconds = n
	case "throttling/burstLimit":
		n, err := parseIntValue(op.Path, op.Value)
		if err != nil {
			return err
		}
		limit := env.accountLimits().BurstLimit
		if err := checkThrottle(op, float64(n), float64(limit), "burst", strconv.Itoa(limit)); err != nil {
			return err
		}
		ms.ThrottlingBurstLimit = n
	case "throttling/rateLimit":
		f, err := parseNumberValue(op.Path, op.Value)
		if err != nil {
			return err
		}
		limit := env.accountLimits().RateLimit
		if err := checkThrottle(op, f, limit, "rate", formatRate(limit)); err != nil {
			return err
		}
		ms.ThrottlingRateLimit = f
	}
	return nil
}

// checkThrottle accepts 0..account limit, or -1 for "unthrottled at this
// level". Values above the account limit are rejected rather than clamped:
// the console guide says the stage limits "must not be more than the
// account-level" limits, and clamping would silently store something other
// than what the client sent.
func checkThrottle(op PatchOperation, v, limit float64, kind, limitText string) error {
	if v == UnthrottledLimit {
		return nil
	}
	if v < 0 {
		return stageBadRequest("Invalid value '" + op.Value + "' specified for " + op.Path + ". Must be greater than or equal to 0, or -1 to disable throttling")
	}
	if v > limit {
		return stageBadRequest("Invalid value '" + op.Value + "' specified for " + op.Path + ". The " + kind + " limit must not be more than the account-level " + kind + " limit of " + limitText)
	}
	return nil
}

// formatRate renders a rate the way AWS's JSON shows doubles: 10000.0,
// 12.5.
func formatRate(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func setBool(dst *bool, op PatchOperation) error {
	on, err := parseBoolValue(op.Path, op.Value)
	if err != nil {
		return err
	}
	*dst = on
	return nil
}

func stageContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

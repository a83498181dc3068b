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

// msgInvalidSettingTail is what AWS lists when a path names a method
// ({resourcePath}/{httpMethod}) but no setting of it, byte for byte
// (including the missing space before ".../throttling/burstLimit"), as AWS
// answered op=replace,path=/*/*/accessLogSettings/format in
// aws/aws-sdk-java#1823.
const msgInvalidSettingTail = ". Must be one of: [.../metrics/enabled, .../logging/dataTrace, .../logging/loglevel,.../throttling/burstLimit, .../throttling/rateLimit, .../caching/ttlInSeconds, .../caching/enabled, .../caching/dataEncrypted, .../caching/requireAuthorizationForCacheControl, .../caching/unauthorizedCacheControlHeaderStrategy]"

// invalidSettingPath is AWS's error for an unknown setting under a valid
// method target; it echoes only the part after {resourcePath}/{httpMethod}.
func invalidSettingPath(setting string) error {
	return stageBadRequest("Invalid method setting path: " + setting + msgInvalidSettingTail)
}

// Logging levels and cache-control strategies a method setting accepts.
var (
	LoggingLevels = []string{"OFF", "ERROR", "INFO"}
	// UnauthorizedCacheControlStrategies are the values of
	// unauthorizedCacheControlHeaderStrategy.
	UnauthorizedCacheControlStrategies = []string{"FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"}
)

// Defaults of a method setting entry created by UpdateStage, as the AWS CLI
// reference's update-stage examples print them. The logging level is not
// among them: an entry shows loggingLevel only once it was set, and an
// absent level means OFF.
const (
	DefaultCacheTTLSeconds                  = 300
	DefaultLoggingLevel                     = "OFF" // what an entry without loggingLevel means
	DefaultUnauthorizedCacheControlStrategy = "SUCCEED_WITH_RESPONSE_HEADER"
)

// UnthrottledLimit is the throttling value that switches a level's limit
// off. Terraform sends -1 for "not set"; it is stored as is and the data
// plane treats any negative limit as "no limit at this level" (the account
// limit still applies).
const UnthrottledLimit = -1

// NewMethodSetting returns the entry AWS materialises when UpdateStage
// first writes a method setting: throttling at the account limits, a 300 s
// cache TTL, the cache-control defaults, every flag false and no
// loggingLevel (the AWS CLI reference's update-stage examples: writing
// /~1resourceName/GET/logging/dataTrace or /*/*/logging/dataTrace yields
// exactly these nine keys).
func NewMethodSetting(account ThrottleSettings) MethodSetting {
	if account.BurstLimit <= 0 {
		account.BurstLimit = DefaultAccountBurstLimit
	}
	if account.RateLimit <= 0 {
		account.RateLimit = DefaultAccountRateLimit
	}
	return MethodSetting{
		ThrottlingBurstLimit:                   account.BurstLimit,
		ThrottlingRateLimit:                    account.RateLimit,
		CacheTTLInSeconds:                      DefaultCacheTTLSeconds,
		RequireAuthorizationForCacheControl:    true,
		UnauthorizedCacheControlHeaderStrategy: DefaultUnauthorizedCacheControlStrategy,
	}
}

// methodSettingTarget is a parsed method-setting patch path.
type methodSettingTarget struct {
	key          string // methodSettings map key as AWS stores it: "~1pets/GET", "pets/{id}/GET", "*/*"
	resourcePath string // decoded resource path "/pets/{id}"; empty for the wildcard
	verb         string
}

// methodSettingVerbs are the verbs a method-setting path may name.
var methodSettingVerbs = map[string]bool{
	"GET": true, "PUT": true, "POST": true, "DELETE": true, "PATCH": true,
	"OPTIONS": true, "HEAD": true, "ANY": true, "*": true,
}

// parseMethodTarget parses the "{resourcePath}/{httpMethod}" segments of a
// method-setting path. The verb is the last segment; every segment before
// it belongs to the resource path, which AWS accepts escaped as one
// segment ("~1pets~1{id}", the AWS CLI reference's form) or unescaped
// ("pets/{id}", what Terraform's aws_api_gateway_method_settings sends).
//
// The key is kept as sent, without the patch path's leading "/": AWS's
// get-stage shows "~1resourceName/GET" after a write to
// /~1resourceName/GET/... (AWS CLI reference) and "pets/{id}/GET" after
// /pets/{id}/GET/... (Terraform reads its entry back under that key).
// Stage.OwnMethodSetting finds an entry under either spelling. An empty
// verb or resource segment is refused: AWS answered "Invalid method
// setting path" for /~1//logging/dataTrace (serverless-aws-alias#133) and
// /{proxy+}/ANY//throttling/burstLimit (terraform-provider-aws#15855).
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
	decoded := decodePointerToken(raw)
	if !strings.HasPrefix(decoded, "/") {
		decoded = "/" + decoded
	}
	if strings.Contains(decoded, "//") || len(decoded) > 1 && strings.HasSuffix(decoded, "/") {
		return methodSettingTarget{}, false
	}
	return methodSettingTarget{key: raw + "/" + verb, resourcePath: decoded, verb: verb}, true
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
	if !ok {
		return invalidPath(op.Path)
	}
	if !methodSettingFields[field] {
		return invalidSettingPath(field)
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

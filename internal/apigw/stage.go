package apigw

import "strings"

// Stage is a named, callable reference to a deployment with its own
// settings: cache, throttling, logging, variables, canary and tags.
type Stage struct {
	// DeploymentID is the deployment the stage serves. It is empty only for
	// a stage created through Cloud Control on an API with no deployment.
	DeploymentID         string                   `json:"deploymentId,omitempty"`
	ClientCertificateID  string                   `json:"clientCertificateId,omitempty"`
	StageName            string                   `json:"stageName"`
	Description          string                   `json:"description,omitempty"`
	CacheClusterEnabled  bool                     `json:"cacheClusterEnabled"`
	CacheClusterSize     string                   `json:"cacheClusterSize,omitempty"`
	CacheClusterStatus   string                   `json:"cacheClusterStatus,omitempty"`
	MethodSettings       map[string]MethodSetting `json:"methodSettings"`
	Variables            map[string]string        `json:"variables,omitempty"`
	DocumentationVersion string                   `json:"documentationVersion,omitempty"`
	AccessLogSettings    *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	CanarySettings       *CanarySettings          `json:"canarySettings,omitempty"`
	TracingEnabled       bool                     `json:"tracingEnabled"`
	WebACLArn            string                   `json:"webAclArn,omitempty"`
	Tags                 map[string]string        `json:"tags,omitempty"`
	CreatedDate          Time                     `json:"createdDate"`
	LastUpdatedDate      Time                     `json:"lastUpdatedDate"`
}

// MethodSetting is one entry of a stage's methodSettings, keyed by
// "{resourcePath without leading slash}/{VERB}" or "*/*".
type MethodSetting struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           string  `json:"loggingLevel,omitempty"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int     `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    float64 `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int     `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
}

// AccessLogSettings configures the stage's access log.
type AccessLogSettings struct {
	Format         string `json:"format,omitempty"`
	DestinationArn string `json:"destinationArn,omitempty"`
}

// CanarySettings routes a share of the stage's traffic to another
// deployment.
type CanarySettings struct {
	PercentTraffic         float64           `json:"percentTraffic"`
	DeploymentID           string            `json:"deploymentId,omitempty"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides,omitempty"`
	UseStageCache          bool              `json:"useStageCache"`
}

// Cache cluster statuses.
const (
	CacheStatusCreateInProgress = "CREATE_IN_PROGRESS"
	CacheStatusAvailable        = "AVAILABLE"
	CacheStatusDeleteInProgress = "DELETE_IN_PROGRESS"
	CacheStatusNotAvailable     = "NOT_AVAILABLE"
	CacheStatusFlushInProgress  = "FLUSH_IN_PROGRESS"
)

// CacheClusterSizes are the cache sizes (GB) AWS offers, in order.
var CacheClusterSizes = []string{"0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"}

// WildcardMethodKey is the methodSettings key that applies to every method.
const WildcardMethodKey = "*/*"

// MethodSettingFor resolves the settings in force for one method: the
// method's own entry if present, else the stage-wide "*/*" entry, else the
// zero value with AWS's defaults. resourcePath is the resource's full path
// ("/pets/{id}"). An override entry is created as a copy of "*/*" (see
// the patch code), so resolving whole entries gives the console's
// "override for this method" semantics.
func (s *Stage) MethodSettingFor(resourcePath, verb string) (MethodSetting, bool) {
	if ms, _, ok := s.OwnMethodSetting(resourcePath, verb); ok {
		return ms, true
	}
	if ms, ok := s.MethodSettings[WildcardMethodKey]; ok {
		return ms, true
	}
	return MethodSetting{}, false
}

// OwnMethodSetting returns a method's own methodSettings entry and the key
// it is stored under. AWS keeps the key as the patch path spelled it, so
// the entry is looked up under both spellings AWS accepts: escaped
// ("~1pets~1{id}/GET", the AWS CLI reference's form, tried first) and
// unescaped ("pets/{id}/GET", Terraform's form). Which one wins when a
// stage has both is not documented; the escaped one does here.
func (s *Stage) OwnMethodSetting(resourcePath, verb string) (MethodSetting, string, bool) {
	if len(s.MethodSettings) == 0 {
		return MethodSetting{}, "", false
	}
	for _, k := range [2]string{EscapedMethodSettingKey(resourcePath, verb), MethodSettingKey(resourcePath, verb)} {
		if ms, ok := s.MethodSettings[k]; ok {
			return ms, k, true
		}
	}
	return MethodSetting{}, "", false
}

// MethodSettingKey returns the unescaped methodSettings key for a resource
// path and verb: the path without its leading slash, then "/VERB".
func MethodSettingKey(resourcePath, verb string) string {
	p := resourcePath
	if len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	return p + "/" + verb
}

// EscapedMethodSettingKey returns the escaped methodSettings key: the
// resource path as one JSON-pointer token ("/" as "~1", "~" as "~0"), then
// "/VERB": "~1pets~1{id}/GET"; the root resource is "~1/GET".
func EscapedMethodSettingKey(resourcePath, verb string) string {
	return encodePointerToken(resourcePath) + "/" + verb
}

// ParseMethodSettingKey splits a stored methodSettings key into the
// resource path ("/pets/{id}") and verb, whichever spelling it has.
// "*/*" gives ("*", "*").
func ParseMethodSettingKey(key string) (resourcePath, verb string) {
	if key == WildcardMethodKey {
		return "*", "*"
	}
	i := strings.LastIndex(key, "/")
	if i < 0 {
		return "/", key
	}
	p, verb := key[:i], key[i+1:]
	p = decodePointerToken(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p, verb
}

// encodePointerToken escapes s as one JSON-pointer token (RFC 6901).
func encodePointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// decodePointerToken undoes encodePointerToken ("~1" before "~0", as RFC
// 6901 says).
func decodePointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// StageARN returns the ARN tags are attached to for a stage.
func StageARN(region, restAPIID, stageName string) string {
	return "arn:aws:apigateway:" + region + "::/restapis/" + restAPIID + "/stages/" + stageName
}

// RestAPIARN returns the ARN of a REST API.
func RestAPIARN(region, restAPIID string) string {
	return "arn:aws:apigateway:" + region + "::/restapis/" + restAPIID
}

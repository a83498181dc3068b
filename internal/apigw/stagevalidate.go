package apigw

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Stage validation shared by CreateStage, UpdateStage (the patch engine)
// and CreateDeployment. Every function returns a BadRequestException whose
// text is reproduced on the wire. Texts marked "AWS" were recorded from real
// API Gateway responses (user reports, client code that matches on them);
// texts marked "chosen" are ours, written in AWS's style, because no
// recorded response was found.

// Stage and stage-variable limits (API Gateway quotas page and the Stage
// model documentation).
const (
	MaxStageNameLength      = 128
	MaxStageVariables       = 100
	MaxVariableNameLength   = 64
	MaxVariableValueLength  = 512
	MaxAccessLogFormatBytes = 3 * 1024
	MaxCacheTTLSeconds      = 3600
	MaxCanaryPercentTraffic = 100.0
)

// Messages of stage validation.
const (
	// MsgStageNameInvalid: AWS printed "Stage name only allows a-zA-Z0-9_"
	// before hyphens were allowed; the current rule adds "-" (chosen).
	MsgStageNameInvalid = "Stage name only allows a-zA-Z0-9_-"
	// MsgStageNameLength is chosen.
	MsgStageNameLength = "Stage name must be between 1 and 128 characters long"
	// MsgTooManyVariables is chosen (limit: 100 stage variables per stage).
	MsgTooManyVariables = "Too many stage variables. A stage can have at most 100 stage variables"
	// MsgAccessLogMultiLine is AWS's text (reported by users of update-stage).
	MsgAccessLogMultiLine = "Access Log format must be single line, new line character is allowed only at end of the format"
	// MsgAccessLogNoRequestID is AWS's text as quoted by CloudFormation
	// linters; AWS accepts either variable although older model docs only
	// mention $context.requestId.
	MsgAccessLogNoRequestID = "Access Log format must include either $context.requestId or $context.extendedRequestId"
	// MsgAccessLogTooLong is chosen (limit: access log template size 3 KB).
	MsgAccessLogTooLong = "Access Log format must not be larger than 3 KB"
	// MsgCanaryPercent is chosen.
	MsgCanaryPercent = "Canary percentTraffic must be a number between 0.0 and 100.0"
	// MsgCanaryNonCanaryDeployment is chosen; the canary guide says a stage
	// with a canary "cannot be associated with another non-canary release
	// deployment until the canary release is disabled".
	MsgCanaryNonCanaryDeployment = "Stage has a canary release: it cannot be associated with another non-canary release deployment until the canary release is disabled"
	// MsgPromotionNoCanary is AWS's text.
	MsgPromotionNoCanary = "Promotion not available. Canary does not exist."
	// MsgInvalidCopy is AWS's text; AWS prints it verbatim whatever the
	// request's path and from were.
	MsgInvalidCopy = "Invalid copy operation with path: /canarySettings/stageVariableOverrides and from /variables. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]"
)

// badRequest builds a BadRequestException from a finished message. Messages
// echo user input, so they never go through a format string.
func stageBadRequest(msg string) error { return &Error{Kind: KindBadRequest, Message: msg} }

// ValidateStageName checks a stage name: [A-Za-z0-9_-]{1,128}.
func ValidateStageName(name string) error {
	if name == "" || len(name) > MaxStageNameLength {
		return stageBadRequest(MsgStageNameLength)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isWordByte(c) && c != '-' {
			return stageBadRequest(MsgStageNameInvalid)
		}
	}
	return nil
}

// ValidateVariables checks stage variable names and values and their count.
// Names are checked in sorted order so the reported variable is stable.
func ValidateVariables(vars map[string]string) error {
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := ValidateVariableName(name); err != nil {
			return err
		}
		if err := ValidateVariableValue(vars[name]); err != nil {
			return err
		}
	}
	if len(vars) > MaxStageVariables {
		return stageBadRequest(MsgTooManyVariables)
	}
	return nil
}

// ValidateVariableName checks one stage variable (or canary override) name:
// [A-Za-z0-9_]+, at most 64 characters. The character-class text is AWS's
// (note its two spaces); the length text is chosen.
func ValidateVariableName(name string) error {
	if name == "" || !allBytesMatch(name, isWordByte) {
		return stageBadRequest("Invalid stage variable name: " + name + ".  Please use names with only word characters.")
	}
	if len(name) > MaxVariableNameLength {
		return stageBadRequest("Invalid stage variable name: " + name + ".  Stage variable names must be at most 64 characters long.")
	}
	return nil
}

// ValidateVariableValue checks one stage variable (or canary override)
// value: the model's [A-Za-z0-9-._~:/?#&=,]+ plus the space, at most 512
// characters. AWS's own rejection text (reproduced byte for byte, typos
// included) lists ' ' among the allowed symbols, so a space is accepted.
// The empty value is rejected as AWS does.
func ValidateVariableValue(value string) error {
	if value == "" || !allBytesMatch(value, isVariableValueByte) {
		return stageBadRequest("Invalid stage variable value: " + value + ".  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','.")
	}
	if len(value) > MaxVariableValueLength {
		return stageBadRequest("Invalid stage variable value: " + value + ".  Stage variable values must be at most 512 characters long.")
	}
	return nil
}

// ValidateCacheClusterSize checks a cacheClusterSize value against
// CacheClusterSizes. The text is chosen.
func ValidateCacheClusterSize(size string) error {
	for _, s := range CacheClusterSizes {
		if s == size {
			return nil
		}
	}
	return stageBadRequest("Invalid cache cluster size specified: '" + size + "'. Must be one of: [" + strings.Join(CacheClusterSizes, ", ") + "]")
}

// ValidateCanaryPercent checks a canary's percentTraffic: 0.0 to 100.0.
func ValidateCanaryPercent(p float64) error {
	if math.IsNaN(p) || p < 0 || p > MaxCanaryPercentTraffic {
		return stageBadRequest(MsgCanaryPercent)
	}
	return nil
}

// ValidateCanarySettings checks the parts of canary settings that do not
// need the API: percentTraffic and the stage variable overrides (same rules
// as stage variables). The caller checks that the deployment exists.
func ValidateCanarySettings(c *CanarySettings) error {
	if c == nil {
		return nil
	}
	if err := ValidateCanaryPercent(c.PercentTraffic); err != nil {
		return err
	}
	return ValidateVariables(c.StageVariableOverrides)
}

// ValidateAccessLogFormat checks an access log format: a single line (one
// trailing newline is tolerated, as AWS's message says), at most 3 KB, and
// containing $context.requestId or $context.extendedRequestId (AWS accepts
// either; the braced ${context.requestId} form counts too).
func ValidateAccessLogFormat(format string) error {
	line := strings.TrimSuffix(format, "\n")
	line = strings.TrimSuffix(line, "\r")
	if strings.ContainsAny(line, "\r\n") {
		return stageBadRequest(MsgAccessLogMultiLine)
	}
	if len(format) > MaxAccessLogFormatBytes {
		return stageBadRequest(MsgAccessLogTooLong)
	}
	if !hasContextVariable(format, "requestId") && !hasContextVariable(format, "extendedRequestId") {
		return stageBadRequest(MsgAccessLogNoRequestID)
	}
	return nil
}

// hasContextVariable reports whether format references $context.{name} or
// ${context.name} as a whole variable ($context.requestIdX does not count).
func hasContextVariable(format, name string) bool {
	for _, prefix := range []string{"$context." + name, "${context." + name + "}"} {
		rest := format
		for {
			i := strings.Index(rest, prefix)
			if i < 0 {
				break
			}
			after := rest[i+len(prefix):]
			if strings.HasSuffix(prefix, "}") || after == "" || !isVariableNameByte(after[0]) {
				return true
			}
			rest = after
		}
	}
	return false
}

// IsFirehoseARN reports whether arn names a Kinesis Data Firehose delivery
// stream (arn:aws:firehose:{region}:{account}:deliverystream/{name}).
func IsFirehoseARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "firehose"
}

// ValidateAccessLogDestination checks an access log destination ARN: a
// CloudWatch Logs log group (arn:{partition}:logs:{region}:{account}:
// log-group:{name}, optionally ending in ":*" as CloudFormation's GetAtt
// returns it) or a Firehose delivery stream whose name starts with
// "amazon-apigateway-" (API Gateway developer guide). Texts are chosen.
func ValidateAccessLogDestination(arn string) error {
	invalid := stageBadRequest("Invalid ARN specified in the request: '" + arn + "'. The access log destination must be a CloudWatch Logs log group ARN or a Kinesis Data Firehose delivery stream ARN")
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[3] == "" || !allBytesMatch(parts[4], isASCIIDigit) || len(parts[4]) != 12 {
		return invalid
	}
	switch parts[2] {
	case "logs":
		name, ok := strings.CutPrefix(parts[5], "log-group:")
		if !ok {
			return invalid
		}
		name = strings.TrimSuffix(name, ":*")
		if name == "" || len(name) > 512 || !allBytesMatch(name, isLogGroupNameByte) {
			return invalid
		}
		return nil
	case "firehose":
		name, ok := strings.CutPrefix(parts[5], "deliverystream/")
		if !ok || name == "" {
			return invalid
		}
		if !strings.HasPrefix(name, "amazon-apigateway-") {
			return stageBadRequest("Invalid ARN specified in the request: '" + arn + "'. The Kinesis Data Firehose delivery stream name must begin with amazon-apigateway-")
		}
		return nil
	}
	return invalid
}

// parseBoolValue parses a patch boolean: "true"/"false", any case (AWS
// lower-cases boolean patch values before use).
func parseBoolValue(path, value string) (bool, error) {
	switch strings.ToLower(value) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, stageBadRequest("Invalid value '" + value + "' specified for " + path + ". Must be true or false")
}

// parseIntValue parses a patch integer (decimal, optional sign).
func parseIntValue(path, value string) (int, error) {
	n, err := strconv.ParseInt(value, 10, 32)
	if err != nil {
		return 0, stageBadRequest("Invalid value '" + value + "' specified for " + path + ". Must be an integer")
	}
	return int(n), nil
}

// parseNumberValue parses a patch number. Only finite decimal numbers are
// accepted: NaN or infinities could not be stored as JSON.
func parseNumberValue(path, value string) (float64, error) {
	f, err := strconv.ParseFloat(value, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || !isDecimalNumber(value) {
		return 0, stageBadRequest("Invalid value '" + value + "' specified for " + path + ". Must be a number")
	}
	return f, nil
}

// isDecimalNumber rejects the hexadecimal and other Go-only spellings
// strconv.ParseFloat accepts.
func isDecimalNumber(s string) bool {
	return s != "" && allBytesMatch(s, func(c byte) bool {
		return isASCIIDigit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'
	})
}

func allBytesMatch(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isASCIIDigit(c) || c == '_'
}

func isVariableNameByte(c byte) bool { return isWordByte(c) }

func isVariableValueByte(c byte) bool {
	return isWordByte(c) || strings.IndexByte("-.~:/?#&=, ", c) >= 0
}

// isLogGroupNameByte is CloudWatch Logs' log group name charset
// [\.\-_/#A-Za-z0-9]+.
func isLogGroupNameByte(c byte) bool {
	return isWordByte(c) || strings.IndexByte(".-/#", c) >= 0
}

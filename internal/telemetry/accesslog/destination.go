package accesslog

import "strings"

// MsgDestinationARN is returned for a destinationArn that is neither a
// CloudWatch Logs log group ARN nor an "amazon-apigateway-" Firehose
// stream ARN. Wording unverified against AWS.
const MsgDestinationARN = "Invalid destination ARN: must be a CloudWatch Logs log group ARN or a Kinesis Data Firehose delivery stream ARN whose name starts with amazon-apigateway-"

// FirehosePrefix is the delivery stream name prefix AWS requires.
const FirehosePrefix = "amazon-apigateway-"

// LogGroupFor returns the log group an accessLogSettings.destinationArn
// writes to:
//
//	arn:aws:logs:{region}:{account}:log-group:{name}[:*]  → name
//	arn:aws:firehose:{region}:{account}:deliverystream/amazon-apigateway-x
//	                                                       → amazon-apigateway-x
//
// Stagecoach has no Firehose; access logs for a delivery stream land in a
// local log group of the stream's name, so they can still be read with
// `aws logs`. ok is false for anything else.
func LogGroupFor(arn string) (group string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" {
		return "", false
	}
	switch parts[2] {
	case "logs":
		name, found := strings.CutPrefix(parts[5], "log-group:")
		if !found {
			return "", false
		}
		name = strings.TrimSuffix(name, ":*")
		if name == "" || len(name) > 512 {
			return "", false
		}
		return name, true
	case "firehose":
		name, found := strings.CutPrefix(parts[5], "deliverystream/")
		if !found || !strings.HasPrefix(name, FirehosePrefix) || len(name) == len(FirehosePrefix) {
			return "", false
		}
		return name, true
	}
	return "", false
}

// ValidateDestination checks a destinationArn for the control plane: nil
// or a *FormatError with MsgDestinationARN.
func ValidateDestination(arn string) error {
	if _, ok := LogGroupFor(arn); !ok {
		return &FormatError{MsgDestinationARN}
	}
	return nil
}

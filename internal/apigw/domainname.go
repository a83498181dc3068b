package apigw

import (
	"strings"
)

// DomainName is a custom domain name (AWS::ApiGateway::DomainName): a
// host name callers use instead of {restApiId}.execute-api.*, whose base
// path mappings route requests to API stages.
type DomainName struct {
	DomainName               string                 `json:"domainName"`
	CertificateArn           string                 `json:"certificateArn,omitempty"`
	CertificateName          string                 `json:"certificateName,omitempty"`
	CertificateUploadDate    *Time                  `json:"certificateUploadDate,omitempty"`
	RegionalCertificateArn   string                 `json:"regionalCertificateArn,omitempty"`
	RegionalCertificateName  string                 `json:"regionalCertificateName,omitempty"`
	RegionalDomainName       string                 `json:"regionalDomainName,omitempty"`
	RegionalHostedZoneID     string                 `json:"regionalHostedZoneId,omitempty"`
	DistributionDomainName   string                 `json:"distributionDomainName,omitempty"`
	DistributionHostedZoneID string                 `json:"distributionHostedZoneId,omitempty"`
	EndpointConfiguration    *EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	DomainNameStatus         string                 `json:"domainNameStatus,omitempty"`
	SecurityPolicy           string                 `json:"securityPolicy,omitempty"`
	Tags                     map[string]string      `json:"tags,omitempty"`
}

// BasePathMapping maps a base path of a domain name to an API and, when
// Stage is set, one of its stages. Without a stage the first path segment
// after the base path names the stage, as on execute-api hosts.
type BasePathMapping struct {
	BasePath  string `json:"basePath"`
	RestAPIID string `json:"restApiId"`
	Stage     string `json:"stage,omitempty"`
}

// NoBasePath is how AWS spells the empty base path in responses and in
// the {base_path} label of GetBasePathMapping and friends.
const NoBasePath = "(none)"

// Domain name and base path mapping messages, as AWS words them.
const (
	MsgDomainNotFound         = "Invalid domain name identifier specified"
	MsgBasePathNotFound       = "Invalid base path mapping identifier specified"
	MsgBasePathExists         = "Base path already exists for this domain name"
	MsgEmptyBasePathExclusive = "Only one base path mapping is allowed if the base path is empty."
	MsgMappingAPINotFound     = "Invalid REST API identifier specified"
	MsgMappingStageNotFound   = "Invalid stage identifier specified"
	// U: AWS's text for a second CreateDomainName of the same name.
	MsgDomainExists = "The domain name you provided already exists."
)

// Security policies a REST API domain name accepts.
const (
	SecurityPolicyTLS10 = "TLS_1_0"
	SecurityPolicyTLS12 = "TLS_1_2"
)

// Hosted zone ids AWS reports: regional endpoints per region (the
// execute-api zones), edge endpoints always CloudFront's.
var regionalHostedZones = map[string]string{
	"us-east-1":      "Z1UJRXOUMOOFQ8",
	"us-east-2":      "ZOJJZC49E0EPZ",
	"us-west-1":      "Z2MUQ32089INYE",
	"us-west-2":      "Z2OJLYMUO9EFXC",
	"eu-west-1":      "ZLY8HYME6SFDD",
	"eu-west-2":      "ZJ5UAJN8Y3Z2Q",
	"eu-west-3":      "Z3KY65QIEKYHQQ",
	"eu-central-1":   "Z1U9ULNL0V5AJ3",
	"ap-southeast-1": "ZL327KTPIQFUL",
	"ap-southeast-2": "Z2RPCDW04V8134",
	"ap-northeast-1": "Z1YSHQZHG15GKL",
}

// CloudFrontHostedZoneID is the hosted zone of every edge-optimized
// domain's distribution.
const CloudFrontHostedZoneID = "Z2FDTNDATAQYW2"

// RegionalHostedZoneID returns the execute-api hosted zone AWS reports for
// region's regional domain names (us-east-1's for regions not listed).
func RegionalHostedZoneID(region string) string {
	if z, ok := regionalHostedZones[region]; ok {
		return z
	}
	return regionalHostedZones["us-east-1"]
}

// IsRegional reports whether the domain name has a REGIONAL endpoint.
func (d *DomainName) IsRegional() bool {
	return d.EndpointConfiguration != nil && len(d.EndpointConfiguration.Types) > 0 &&
		d.EndpointConfiguration.Types[0] == "REGIONAL"
}

// Validate checks a domain name's settings as AWS does on create and after
// an update.
func (d *DomainName) Validate() error {
	if d.SecurityPolicy != "" && d.SecurityPolicy != SecurityPolicyTLS10 && d.SecurityPolicy != SecurityPolicyTLS12 {
		return BadRequest("Invalid security policy: %s", d.SecurityPolicy) // U: AWS's wording
	}
	if ec := d.EndpointConfiguration; ec != nil {
		if len(ec.Types) != 1 {
			return BadRequest("Invalid endpoint configuration: exactly one endpoint type is required") // U
		}
		switch ec.Types[0] {
		case "REGIONAL", "EDGE":
		default:
			return BadRequest("Invalid endpoint type: %s", ec.Types[0]) // U
		}
	}
	if d.IsRegional() {
		if d.RegionalCertificateArn == "" && d.RegionalCertificateName == "" {
			return BadRequest("A regional certificate must be provided for a regional domain name.") // U
		}
		if d.CertificateArn != "" {
			return BadRequest("An edge certificate cannot be provided for a regional domain name.") // U
		}
	} else {
		if d.CertificateArn == "" && d.CertificateName == "" {
			return BadRequest("A certificate must be provided for an edge-optimized domain name.") // U
		}
		if d.RegionalCertificateArn != "" {
			return BadRequest("A regional certificate cannot be provided for an edge-optimized domain name.") // U
		}
	}
	return nil
}

// ValidDomainName checks the shape of a host name: dot-separated labels
// of letters, digits and hyphens, optionally a leading "*." wildcard.
func ValidDomainName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	name = strings.TrimPrefix(name, "*.")
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// NormalizeBasePath turns a base path as given on the wire into its stored
// form: "" and "(none)" are the empty base path; surrounding slashes are
// dropped. It reports false for a path AWS refuses (empty segments or
// characters outside the URL-safe set).
func NormalizeBasePath(p string) (string, bool) {
	if p == NoBasePath {
		return "", true
	}
	p = strings.Trim(p, "/")
	for seg := range strings.SplitSeq(p, "/") {
		if p == "" {
			break
		}
		if seg == "" {
			return "", false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
				strings.IndexByte("-._~$+!*'()", c) >= 0) {
				return "", false
			}
		}
	}
	return p, true
}

// MsgInvalidBasePath is refused base paths' message (U: AWS's wording).
const MsgInvalidBasePath = "Invalid base path"

// WireBasePath is the base path as responses show it.
func WireBasePath(p string) string {
	if p == "" {
		return NoBasePath
	}
	return p
}

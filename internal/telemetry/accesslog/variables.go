package accesslog

import (
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

// varID names one $context variable (or family) a format part resolves.
type varID uint8

const (
	vLiteral      varID = iota
	vUnknown            // not a variable API Gateway knows: renders "-"
	vTemplateOnly       // requestOverride.* / responseOverride.*: mapping templates only, "-" in access logs

	vAccountID
	vAPIID
	vStage
	vDeploymentID
	vIsCanaryRequest
	vResourceID
	vResourcePath
	vPath
	vHTTPMethod
	vProtocol
	vDomainName
	vDomainPrefix
	vRequestID
	vExtendedRequestID
	vRequestTime
	vRequestTimeEpoch
	vXRayTraceID

	vIdentitySourceIP
	vIdentityUserAgent
	vIdentityCaller
	vIdentityUser
	vIdentityUserArn
	vIdentityAccountID
	vIdentityAccessKey
	vIdentityAPIKey
	vIdentityAPIKeyID
	vIdentityPrincipalOrgID
	vIdentityCognitoIdentityID
	vIdentityCognitoIdentityPoolID
	vIdentityCognitoAuthenticationType
	vIdentityCognitoAuthenticationProvider
	vIdentityVpcID
	vIdentityVpceID
	vClientCertPem
	vClientCertSubjectDN
	vClientCertIssuerDN
	vClientCertSerialNumber
	vClientCertNotBefore
	vClientCertNotAfter

	vAuthorizerPrincipalID
	vAuthorizerClaim   // authorizer.claims.{name}
	vAuthorizerContext // authorizer.{key}
	vAuthorizerError
	vAuthorizerIntegrationLatency
	vAuthorizerIntegrationStatus
	vAuthorizerLatency
	vAuthorizerRequestID
	vAuthorizerStatus
	vAuthorizeError
	vAuthorizeLatency
	vAuthorizeStatus
	vAuthenticateError
	vAuthenticateLatency
	vAuthenticateStatus

	vErrorMessage
	vErrorMessageString
	vErrorResponseType
	vErrorValidationErrorString

	vIntegrationLatency
	vIntegrationStatus
	vIntegrationErrorMessage
	vIntegrationError
	vIntegrationIntegrationStatus
	vIntegrationLatency2 // integration.latency
	vIntegrationRequestID
	vIntegrationStatus2 // integration.status
	vAWSEndpointRequestID
	vResponseLatency
	vResponseLength
	vStatus

	vCustomDomainBasePathMatched
	vWAFResponseCode
	vWebACLArn
	vWAFError
	vWAFLatency
	vWAFStatus
)

// fixedVariables maps every fixed $context variable name (without the
// "$context." prefix) to what it resolves. The list follows the
// developer guide's "$context variables for data models, authorizers,
// mapping templates, and access logging" table (data-plane.md §8.1),
// plus deploymentId, isCanaryRequest and identity.vpcId/vpceId, which the
// same table lists.
var fixedVariables = map[string]varID{
	"accountId":         vAccountID,
	"apiId":             vAPIID,
	"stage":             vStage,
	"deploymentId":      vDeploymentID,
	"isCanaryRequest":   vIsCanaryRequest,
	"resourceId":        vResourceID,
	"resourcePath":      vResourcePath,
	"path":              vPath,
	"httpMethod":        vHTTPMethod,
	"protocol":          vProtocol,
	"domainName":        vDomainName,
	"domainPrefix":      vDomainPrefix,
	"requestId":         vRequestID,
	"extendedRequestId": vExtendedRequestID,
	"requestTime":       vRequestTime,
	"requestTimeEpoch":  vRequestTimeEpoch,
	"xrayTraceId":       vXRayTraceID,

	"identity.sourceIp":                      vIdentitySourceIP,
	"identity.userAgent":                     vIdentityUserAgent,
	"identity.caller":                        vIdentityCaller,
	"identity.user":                          vIdentityUser,
	"identity.userArn":                       vIdentityUserArn,
	"identity.accountId":                     vIdentityAccountID,
	"identity.accessKey":                     vIdentityAccessKey,
	"identity.apiKey":                        vIdentityAPIKey,
	"identity.apiKeyId":                      vIdentityAPIKeyID,
	"identity.principalOrgId":                vIdentityPrincipalOrgID,
	"identity.cognitoIdentityId":             vIdentityCognitoIdentityID,
	"identity.cognitoIdentityPoolId":         vIdentityCognitoIdentityPoolID,
	"identity.cognitoAuthenticationType":     vIdentityCognitoAuthenticationType,
	"identity.cognitoAuthenticationProvider": vIdentityCognitoAuthenticationProvider,
	"identity.vpcId":                         vIdentityVpcID,
	"identity.vpceId":                        vIdentityVpceID,
	"identity.clientCert.clientCertPem":      vClientCertPem,
	"identity.clientCert.subjectDN":          vClientCertSubjectDN,
	"identity.clientCert.issuerDN":           vClientCertIssuerDN,
	"identity.clientCert.serialNumber":       vClientCertSerialNumber,
	"identity.clientCert.validity.notBefore": vClientCertNotBefore,
	"identity.clientCert.validity.notAfter":  vClientCertNotAfter,
	"authorizer.principalId":                 vAuthorizerPrincipalID,
	"authorizer.error":                       vAuthorizerError,
	"authorizer.integrationLatency":          vAuthorizerIntegrationLatency,
	"authorizer.integrationStatus":           vAuthorizerIntegrationStatus,
	"authorizer.latency":                     vAuthorizerLatency,
	"authorizer.requestId":                   vAuthorizerRequestID,
	"authorizer.status":                      vAuthorizerStatus,
	"authorize.error":                        vAuthorizeError,
	"authorize.latency":                      vAuthorizeLatency,
	"authorize.status":                       vAuthorizeStatus,
	"authenticate.error":                     vAuthenticateError,
	"authenticate.latency":                   vAuthenticateLatency,
	"authenticate.status":                    vAuthenticateStatus,
	"error.message":                          vErrorMessage,
	"error.messageString":                    vErrorMessageString,
	"error.responseType":                     vErrorResponseType,
	"error.validationErrorString":            vErrorValidationErrorString,
	"integrationLatency":                     vIntegrationLatency,
	"integrationStatus":                      vIntegrationStatus,
	"integrationErrorMessage":                vIntegrationErrorMessage,
	"integration.error":                      vIntegrationError,
	"integration.integrationStatus":          vIntegrationIntegrationStatus,
	"integration.latency":                    vIntegrationLatency2,
	"integration.requestId":                  vIntegrationRequestID,
	"integration.status":                     vIntegrationStatus2,
	"awsEndpointRequestId":                   vAWSEndpointRequestID,
	"responseLatency":                        vResponseLatency,
	"responseLength":                         vResponseLength,
	"status":                                 vStatus,
	"responseOverride.status":                vTemplateOnly,
	"customDomain.basePathMatched":           vCustomDomainBasePathMatched,
	"wafResponseCode":                        vWAFResponseCode,
	"webaclArn":                              vWebACLArn,
	"waf.error":                              vWAFError,
	"waf.latency":                            vWAFLatency,
	"waf.status":                             vWAFStatus,
}

// families are variables with a caller-chosen last segment, longest
// prefix first so "authorizer.claims.x" is a claim, not a context key.
var families = []struct {
	prefix string
	id     varID
}{
	{"requestOverride.querystring.", vTemplateOnly},
	{"responseOverride.header.", vTemplateOnly},
	{"requestOverride.header.", vTemplateOnly},
	{"requestOverride.path.", vTemplateOnly},
	{"authorizer.claims.", vAuthorizerClaim},
	{"authorizer.", vAuthorizerContext},
}

// Variables returns every fixed $context variable an access log format
// may name, with the "$context." prefix, sorted. (The families
// $context.authorizer.claims.{name}, $context.authorizer.{key} and the
// template-only override families are not listed.)
func Variables() []string {
	out := make([]string, 0, len(fixedVariables))
	for name := range fixedVariables {
		out = append(out, "$context."+name)
	}
	sortStrings(out)
	return out
}

// lookup resolves a variable name (after "$context.").
func lookup(name string) (varID, string) {
	if id, ok := fixedVariables[name]; ok {
		return id, ""
	}
	for _, f := range families {
		if key, ok := strings.CutPrefix(name, f.prefix); ok && key != "" {
			return f.id, key
		}
	}
	return vUnknown, ""
}

// clfLayout is $context.requestTime's layout: dd/MMM/yyyy:HH:mm:ss +-hhmm.
const clfLayout = "02/Jan/2006:15:04:05 -0700"

// appendValue appends the raw value of a variable, or nothing when it
// is unavailable (the caller then writes "-").
func appendValue(dst []byte, ev *telemetry.RequestEvent, id varID, key string) []byte {
	switch id {
	case vAccountID:
		return append(dst, ev.AccountID...)
	case vAPIID:
		return append(dst, ev.APIID...)
	case vStage:
		return append(dst, ev.Stage...)
	case vDeploymentID:
		return append(dst, ev.DeploymentID...)
	case vIsCanaryRequest:
		return strconv.AppendBool(dst, ev.Canary)
	case vResourceID:
		return append(dst, ev.ResourceID...)
	case vResourcePath:
		return append(dst, ev.ResourcePath...)
	case vPath:
		return append(dst, ev.Path...)
	case vHTTPMethod:
		return append(dst, ev.HTTPMethod...)
	case vProtocol:
		return append(dst, ev.Protocol...)
	case vDomainName:
		return append(dst, ev.DomainName...)
	case vDomainPrefix:
		p, _, _ := strings.Cut(ev.DomainName, ".")
		return append(dst, p...)
	case vRequestID:
		return append(dst, ev.RequestID...)
	case vExtendedRequestID:
		return append(dst, ev.ExtendedRequestID...)
	case vRequestTime:
		if ev.RequestTime.IsZero() {
			return dst
		}
		return ev.RequestTime.UTC().AppendFormat(dst, clfLayout)
	case vRequestTimeEpoch:
		if ev.RequestTime.IsZero() {
			return dst
		}
		return strconv.AppendInt(dst, ev.RequestTime.UnixMilli(), 10)
	case vXRayTraceID:
		return append(dst, ev.XRayTraceID...)

	case vIdentitySourceIP:
		return append(dst, ev.Identity.SourceIP...)
	case vIdentityUserAgent:
		return append(dst, ev.Identity.UserAgent...)
	case vIdentityCaller:
		return append(dst, ev.Identity.Caller...)
	case vIdentityUser:
		return append(dst, ev.Identity.User...)
	case vIdentityUserArn:
		return append(dst, ev.Identity.UserArn...)
	case vIdentityAccessKey:
		return append(dst, ev.Identity.AccessKey...)
	case vIdentityAccountID:
		return append(dst, ev.Identity.AccountID...)
	case vIdentityAPIKey:
		return append(dst, ev.Identity.APIKey...)
	case vIdentityAPIKeyID:
		return append(dst, ev.Identity.APIKeyID...)
	case vIdentityPrincipalOrgID:
		return append(dst, ev.Identity.PrincipalOrgID...)
	case vIdentityCognitoIdentityID:
		return append(dst, ev.Identity.CognitoIdentityID...)
	case vIdentityCognitoIdentityPoolID:
		return append(dst, ev.Identity.CognitoIdentityPoolID...)
	case vIdentityCognitoAuthenticationType:
		return append(dst, ev.Identity.CognitoAuthenticationType...)
	case vIdentityCognitoAuthenticationProvider:
		return append(dst, ev.Identity.CognitoAuthenticationProvider...)
	case vIdentityVpcID:
		return append(dst, ev.Identity.VpcID...)
	case vIdentityVpceID:
		return append(dst, ev.Identity.VpceID...)
	case vClientCertPem, vClientCertSubjectDN, vClientCertIssuerDN, vClientCertSerialNumber, vClientCertNotBefore, vClientCertNotAfter:
		c := ev.Identity.ClientCert
		if c == nil {
			return dst
		}
		switch id {
		case vClientCertPem:
			return append(dst, c.ClientCertPem...)
		case vClientCertSubjectDN:
			return append(dst, c.SubjectDN...)
		case vClientCertIssuerDN:
			return append(dst, c.IssuerDN...)
		case vClientCertSerialNumber:
			return append(dst, c.SerialNumber...)
		case vClientCertNotBefore:
			return append(dst, c.NotBefore...)
		default:
			return append(dst, c.NotAfter...)
		}

	case vAuthorizerPrincipalID:
		return append(dst, ev.Authorizer.PrincipalID...)
	case vAuthorizerClaim:
		return append(dst, ev.Authorizer.Claims[key]...)
	case vAuthorizerContext:
		return append(dst, ev.Authorizer.Context[key]...)
	case vAuthorizerError:
		return append(dst, ev.Authorizer.Error...)
	case vAuthorizerIntegrationLatency:
		return appendMillis(dst, ev.Authorizer.IntegrationLatency)
	case vAuthorizerIntegrationStatus:
		return appendStatus(dst, ev.Authorizer.IntegrationStatus)
	case vAuthorizerLatency:
		return appendMillis(dst, ev.Authorizer.Latency)
	case vAuthorizerRequestID:
		return append(dst, ev.Authorizer.RequestID...)
	case vAuthorizerStatus:
		return appendStatus(dst, ev.Authorizer.Status)
	case vAuthorizeError:
		return append(dst, ev.Authorizer.Authorize.Error...)
	case vAuthorizeLatency:
		return appendMillis(dst, ev.Authorizer.Authorize.Latency)
	case vAuthorizeStatus:
		return appendStatus(dst, ev.Authorizer.Authorize.Status)
	case vAuthenticateError:
		return append(dst, ev.Authorizer.Authenticate.Error...)
	case vAuthenticateLatency:
		return appendMillis(dst, ev.Authorizer.Authenticate.Latency)
	case vAuthenticateStatus:
		return appendStatus(dst, ev.Authorizer.Authenticate.Status)

	case vErrorMessage:
		return append(dst, ev.ErrorMessage...)
	case vErrorMessageString:
		// The message as a JSON string literal, quotes included: AWS
		// documents it as "the quoted value of $context.error.message".
		if ev.ErrorMessage == "" {
			return dst
		}
		dst = append(dst, '"')
		dst = appendJSONEscaped(dst, ev.ErrorMessage)
		return append(dst, '"')
	case vErrorResponseType:
		return append(dst, ev.ErrorResponseType...)
	case vErrorValidationErrorString:
		return append(dst, ev.ValidationErrorString...)

	case vIntegrationLatency, vIntegrationLatency2:
		if !ev.IntegrationCalled() {
			return dst
		}
		return strconv.AppendInt(dst, ev.IntegrationLatency.Milliseconds(), 10)
	case vIntegrationStatus, vIntegrationIntegrationStatus:
		// For Lambda proxy integrations this is AWS Lambda's own status,
		// not the function's (developer guide); otherwise the backend's.
		if ev.IntegrationCallStatus != 0 {
			return strconv.AppendInt(dst, int64(ev.IntegrationCallStatus), 10)
		}
		return appendStatus(dst, ev.IntegrationStatus)
	case vIntegrationStatus2:
		return appendStatus(dst, ev.IntegrationStatus)
	case vIntegrationErrorMessage, vIntegrationError:
		return append(dst, ev.IntegrationError...)
	case vIntegrationRequestID, vAWSEndpointRequestID:
		return append(dst, ev.IntegrationRequestID...)
	case vResponseLatency:
		if ev.Status == 0 {
			return dst
		}
		return strconv.AppendInt(dst, ev.ResponseLatency.Milliseconds(), 10)
	case vResponseLength:
		if ev.Status == 0 {
			return dst
		}
		return strconv.AppendInt(dst, ev.ResponseLength, 10)
	case vStatus:
		return appendStatus(dst, ev.Status)

	case vCustomDomainBasePathMatched:
		return append(dst, ev.CustomDomainBasePathMatched...)
	case vWAFResponseCode:
		return append(dst, ev.WAFResponseCode...)
	case vWebACLArn:
		return append(dst, ev.WebACLArn...)
	}
	// vUnknown, vTemplateOnly and the WAF step details, which this
	// gateway never has.
	return dst
}

func appendStatus(dst []byte, status int) []byte {
	if status == 0 {
		return dst
	}
	return strconv.AppendInt(dst, int64(status), 10)
}

func appendMillis(dst []byte, d time.Duration) []byte {
	if d <= 0 {
		return dst
	}
	return strconv.AppendInt(dst, d.Milliseconds(), 10)
}

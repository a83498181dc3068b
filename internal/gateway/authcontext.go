package gateway

import "strconv"

// authContext is what authorization found out about the caller: a Lambda
// authorizer's principalId, context and usageIdentifierKey, a Cognito
// token's claims, or the SigV4 identity of an AWS_IAM call. It is
// $context.authorizer.* and $context.identity.* for access logs, gateway
// responses and the Lambda proxy event, and gives the API key step the
// key an AUTHORIZER apiKeySource names.
type authContext struct {
	principalID string
	// context holds the authorizer's context values, stringified as AWS
	// does ($context.authorizer.{key}).
	context map[string]string
	// claims are a Cognito token's claims ($context.authorizer.claims.x).
	claims map[string]string
	// usageIdentifierKey is the API key value a Lambda authorizer returned;
	// used when the API's apiKeySource is AUTHORIZER.
	usageIdentifierKey string

	// AWS_IAM callers ($context.identity.*).
	accessKey, caller, user, userArn, accountID string
}

// authorizerValue resolves $context.authorizer.{key}.
func (inv *invocation) authorizerValue(key string) (string, bool) {
	a := inv.auth
	if a == nil {
		return "", false
	}
	if key == "principalId" {
		return a.principalID, a.principalID != ""
	}
	if claim, ok := cutClaim(key); ok {
		v, ok := a.claims[claim]
		return v, ok
	}
	v, ok := a.context[key]
	return v, ok
}

// cutClaim reads "claims.x" and "claims['x']".
func cutClaim(key string) (string, bool) {
	if len(key) > len("claims.") && key[:len("claims.")] == "claims." {
		return key[len("claims."):], true
	}
	if len(key) > len("claims['']") && key[:len("claims['")] == "claims['" && key[len(key)-2:] == "']" {
		return key[len("claims['") : len(key)-2], true
	}
	return "", false
}

// identityValue resolves $context.identity.{key}.
func (inv *invocation) identityValue(key string) (string, bool) {
	switch key {
	case "sourceIp":
		return clientIP(inv.r), true
	case "userAgent":
		return inv.r.UserAgent(), true
	}
	a := inv.auth
	if a == nil {
		return "", false
	}
	var v string
	switch key {
	case "accessKey":
		v = a.accessKey
	case "caller":
		v = a.caller
	case "user":
		v = a.user
	case "userArn":
		v = a.userArn
	case "accountId":
		v = a.accountID
	}
	return v, v != ""
}

// stringify renders an authorizer context value as AWS passes it on:
// strings as they are, numbers and booleans in their JSON spelling.
func stringify(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	}
	return "", false
}

// eventAuthorizer is requestContext.authorizer of the Lambda proxy event:
// principalId and the context values (strings), or a Cognito token's
// claims.
func (a *authContext) eventAuthorizer() map[string]any {
	if a.claims != nil {
		return map[string]any{"claims": a.claims}
	}
	if a.principalID == "" && len(a.context) == 0 {
		return nil
	}
	m := make(map[string]any, len(a.context)+1)
	for k, v := range a.context {
		m[k] = v
	}
	m["principalId"] = a.principalID
	return m
}

// fillIdentity sets the proxy event's identity fields an AWS_IAM call
// established.
func (a *authContext) fillIdentity(id *eventIdentity) {
	set := func(dst **string, v string) {
		if v != "" {
			*dst = &v
		}
	}
	set(&id.AccessKey, a.accessKey)
	set(&id.Caller, a.caller)
	set(&id.User, a.user)
	set(&id.UserArn, a.userArn)
	set(&id.AccountID, a.accountID)
}

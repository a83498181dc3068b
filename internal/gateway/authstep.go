package gateway

import (
	"github.com/stagecoach/stagecoach/internal/apigw"
)

// authStep is the method's authorization, right after throttling (a
// throttled request never reaches an authorizer): a Lambda authorizer for
// CUSTOM methods, a user pool token check for COGNITO_USER_POOLS. It
// answers refusals itself; an authorized request continues with
// inv.auth set. Methods with authorizationType NONE get no step.
func (c *compiler) authStep(v *variant, m *method, am *apigw.Method) step {
	switch am.AuthorizationType {
	case "CUSTOM":
		la := c.variantAuthorizer(v, m, am.AuthorizerID)
		if la == nil {
			return answerWith(&respAuthorizerConfig)
		}
		prefix := c.methodARNPrefix(v)
		return func(next handler) handler {
			return func(inv *invocation) {
				inv.obs.auth.start(inv, la.id)
				arn := methodARN(prefix, inv)
				res := la.authorize(inv, arn)
				if res == nil {
					inv.obs.auth.done(inv)
					return
				}
				inv.auth = res.ctx
				switch res.policy.evaluate(arn) {
				case decisionDeny:
					respExplicitDeny.write(inv)
					inv.obs.auth.done(inv)
					return
				case decisionNoMatch:
					respAccessDenied.write(inv)
					inv.obs.auth.done(inv)
					return
				}
				inv.obs.auth.done(inv)
				next(inv)
			}
		}
	case "AWS_IAM":
		return c.iamStep()
	case "COGNITO_USER_POOLS":
		ca := c.variantCognito(v, m, am.AuthorizerID)
		if ca == nil {
			return answerWith(&respAuthorizerConfig)
		}
		scopes := am.AuthorizationScopes
		return func(next handler) handler {
			return func(inv *invocation) {
				inv.obs.auth.start(inv, ca.id)
				res := ca.authorize(inv, scopes)
				inv.obs.auth.done(inv)
				if res == nil {
					return
				}
				inv.auth = res.ctx
				next(inv)
			}
		}
	}
	return nil
}

// variantCognito compiles a deployed user pool authorizer once per
// variant; nil, with a warning, when it is missing or not a user pool one.
func (c *compiler) variantCognito(v *variant, m *method, id string) *cognitoAuthorizer {
	if ca, ok := v.cognitoAuthorizers[id]; ok {
		return ca
	}
	a := v.authorizers[id]
	var ca *cognitoAuthorizer
	if a == nil || a.Type != apigw.AuthorizerCognito {
		c.warn(v, m, "COGNITO_USER_POOLS method names no user pool authorizer of the deployment", "authorizer_id", id)
	} else {
		var err error
		if ca, err = c.compileCognitoAuthorizer(v, a, c.g.state.authCacheFor(v.apiID, v.stageName)); err != nil {
			c.warn(v, m, "authorizer cannot be compiled", "authorizer_id", id, "error", err)
			ca = nil
		}
	}
	if v.cognitoAuthorizers == nil {
		v.cognitoAuthorizers = map[string]*cognitoAuthorizer{}
	}
	v.cognitoAuthorizers[id] = ca
	return ca
}

// answerWith is a step that answers every request with gr: a method whose
// deployed authorization cannot work.
func answerWith(gr *gatewayResponse) step {
	return func(handler) handler {
		return func(inv *invocation) { gr.write(inv) }
	}
}

// variantAuthorizer compiles a deployed Lambda authorizer once per
// variant (its methods share it) and returns it; nil, with a warning,
// when the deployment's authorizer is missing or unusable.
func (c *compiler) variantAuthorizer(v *variant, m *method, id string) *lambdaAuthorizer {
	if la, ok := v.lambdaAuthorizers[id]; ok {
		return la
	}
	a := v.authorizers[id]
	var la *lambdaAuthorizer
	switch {
	case a == nil:
		c.warn(v, m, "method names an authorizer the deployment does not have", "authorizer_id", id)
	case a.Type != apigw.AuthorizerToken && a.Type != apigw.AuthorizerRequest:
		c.warn(v, m, "CUSTOM method names a non-Lambda authorizer", "authorizer_id", id, "type", a.Type)
	default:
		var err error
		la, err = c.compileLambdaAuthorizer(v, a, c.g.state.authCacheFor(v.apiID, v.stageName))
		if err != nil {
			c.warn(v, m, "authorizer cannot be compiled", "authorizer_id", id, "error", err)
			la = nil
		} else if la.endpoint == "" {
			c.warn(v, m, "no local endpoint for the authorizer's Lambda function; calls answer 500 until --lambda-endpoints maps it",
				"authorizer_id", id, "function", la.functionARN)
		}
	}
	if v.lambdaAuthorizers == nil {
		v.lambdaAuthorizers = map[string]*lambdaAuthorizer{}
	}
	v.lambdaAuthorizers[id] = la
	return la
}

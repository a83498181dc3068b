package gateway

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// COGNITO_USER_POOLS authorizers validate the caller's JWT themselves:
// RS256 signature by a key of the user pool's JWKS, issuer
// https://cognito-idp.{region}.amazonaws.com/{poolId}, expiry, and
// token_use — an ID token for methods without authorizationScopes, an
// access token holding one of the method's scopes otherwise
// (apigateway-enable-cognito-user-pool). The pools' JWKS come from the
// serve flag --cognito-jwks (LoadCognitoJWKS), since Stagecoach runs no
// Cognito; a test mints tokens with its own key.
//
// JOSE is github.com/go-jose/go-jose/v4: one maintained module, no
// dependencies of its own, that parses both the JWKS and the signed JWT
// and refuses algorithms it is not told to accept.

// respTokenExpired is AWS's answer to an expired user pool token.
var respTokenExpired = newGatewayResponse(gtUnauthorized, http.StatusUnauthorized, "UnauthorizedException",
	`{"message":"The incoming token has expired"}`)

// LoadCognitoJWKS reads a --cognito-jwks file: a JSON object mapping user
// pool ids or ARNs to the pool's JWKS, each a file path or an http(s) URL
// (fetched once, now), e.g.
//
//	{"us-east-1_AbC123": "/etc/stagecoach/pool.jwks.json",
//	 "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_XyZ": "http://127.0.0.1:9229/jwks.json"}
//
// The result is keyed by pool id.
func LoadCognitoJWKS(path string) (map[string]*jose.JSONWebKeySet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cognito jwks: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("cognito jwks %s: want a JSON object of user pool id or ARN to JWKS file or URL: %w", path, err)
	}
	out := make(map[string]*jose.JSONWebKeySet, len(m))
	for pool, src := range m {
		raw, err := readJWKSSource(src)
		if err != nil {
			return nil, fmt.Errorf("cognito jwks %s: %s: %w", path, pool, err)
		}
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(raw, &set); err != nil {
			return nil, fmt.Errorf("cognito jwks %s: %s: not a JWKS: %w", path, pool, err)
		}
		out[poolID(pool)] = &set
	}
	return out, nil
}

func readJWKSSource(src string) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return os.ReadFile(src)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(src)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", src, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// poolID returns the user pool id of a pool ARN (…:userpool/{id}), or
// the argument itself.
func poolID(s string) string {
	if i := strings.LastIndex(s, ":userpool/"); i >= 0 {
		return s[i+len(":userpool/"):]
	}
	return s
}

// cognitoAuthorizer is a COGNITO_USER_POOLS authorizer compiled for one
// stage variant.
type cognitoAuthorizer struct {
	id         string
	header     string                         // canonical identity source header
	pools      map[string]*jose.JSONWebKeySet // by issuer URL
	validation *regexp.Regexp
	ttl        time.Duration
	cache      *authCache
	clock      interface{ Now() time.Time }
}

// cognitoClaims is a verified token's facts that the method checks.
type cognitoClaims struct {
	tokenUse string
	scopes   []string
}

func (c *compiler) compileCognitoAuthorizer(v *variant, a *apigw.Authorizer, cache *authCache) (*cognitoAuthorizer, error) {
	header, ok := strings.CutPrefix(a.IdentitySource, "method.request.header.")
	if !ok || header == "" {
		return nil, fmt.Errorf("identity source %q is not a header", a.IdentitySource)
	}
	ca := &cognitoAuthorizer{id: a.ID, header: http.CanonicalHeaderKey(header), pools: map[string]*jose.JSONWebKeySet{},
		ttl: time.Duration(a.TTL()) * time.Second, clock: c.g.state.clock}
	for _, arn := range a.ProviderARNs {
		// arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}
		parts := strings.SplitN(arn, ":", 6)
		if len(parts) < 6 {
			return nil, fmt.Errorf("provider ARN %q is not a user pool ARN", arn)
		}
		id := poolID(arn)
		keys := c.g.opts.CognitoJWKS[id]
		if keys == nil {
			c.log.Warn("no JWKS for user pool; its tokens are refused until --cognito-jwks names it", "pool", id)
			continue
		}
		ca.pools["https://cognito-idp."+parts[3]+".amazonaws.com/"+id] = keys
	}
	if a.IdentityValidationExpression != "" {
		re, err := regexp.Compile(`^(?:` + a.IdentityValidationExpression + `)$`)
		if err != nil {
			return nil, err
		}
		ca.validation = re
	}
	if ca.ttl > 0 {
		ca.cache = cache
	}
	return ca, nil
}

// authorize verifies the request's token (or finds it verified in the
// stage's cache) and checks it fits the method's scopes. It answers
// refusals itself and returns nil then.
func (ca *cognitoAuthorizer) authorize(inv *invocation, scopes []string) *authResult {
	tok := headerValue(inv.r, ca.header)
	tok = strings.TrimPrefix(tok, "Bearer ")
	if tok == "" || (ca.validation != nil && !ca.validation.MatchString(tok)) {
		respUnauthorized.write(inv)
		return nil
	}
	now := ca.clock.Now()
	var res *authResult
	key := append(append(append(inv.bufs.authBuf[:0], ca.id...), 0), tok...)
	if ca.cache != nil {
		res = ca.cache.get(key, now)
	}
	if res == nil {
		var exp time.Time
		var gr *gatewayResponse
		res, exp, gr = ca.verify(tok, now)
		if gr != nil {
			gr.write(inv)
			return nil
		}
		if ca.cache != nil {
			ca.cache.put(key, res, minTime(now.Add(ca.ttl), exp), now)
		}
	} else {
		inv.obs.auth.cached = true
	}
	if !res.cognito.fits(scopes) {
		respUnauthorized.write(inv)
		return nil
	}
	return res
}

// fits applies the method's token rule: no scopes → an ID token; scopes
// → an access token with at least one of them.
func (cc *cognitoClaims) fits(scopes []string) bool {
	if len(scopes) == 0 {
		return cc.tokenUse == "id"
	}
	if cc.tokenUse != "access" {
		return false
	}
	for _, s := range scopes {
		if slices.Contains(cc.scopes, s) {
			return true
		}
	}
	return false
}

// verify checks a token's signature, issuer and expiry.
func (ca *cognitoAuthorizer) verify(tok string, now time.Time) (*authResult, time.Time, *gatewayResponse) {
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(parsed.Headers) == 0 {
		return nil, time.Time{}, &respUnauthorized
	}
	var unverified jwt.Claims
	if err := parsed.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, time.Time{}, &respUnauthorized
	}
	keys := ca.pools[unverified.Issuer]
	if keys == nil {
		return nil, time.Time{}, &respUnauthorized
	}
	found := keys.Key(parsed.Headers[0].KeyID)
	if len(found) == 0 {
		return nil, time.Time{}, &respUnauthorized
	}
	var std jwt.Claims
	var all map[string]any
	if err := parsed.Claims(found[0].Key, &std, &all); err != nil {
		return nil, time.Time{}, &respUnauthorized
	}
	if std.Expiry == nil {
		return nil, time.Time{}, &respUnauthorized
	}
	exp := std.Expiry.Time()
	if !now.Before(exp) {
		return nil, time.Time{}, &respTokenExpired
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: unverified.Issuer, Time: now}, 0); err != nil {
		return nil, time.Time{}, &respUnauthorized
	}
	cc := &cognitoClaims{}
	cc.tokenUse, _ = all["token_use"].(string)
	if s, ok := all["scope"].(string); ok {
		cc.scopes = strings.Fields(s)
	}
	ac := &authContext{claims: make(map[string]string, len(all))}
	for k, v := range all {
		if s, ok := stringify(v); ok {
			ac.claims[k] = s
		} else if b, err := json.Marshal(v); err == nil {
			ac.claims[k] = string(b)
		}
	}
	ac.principalID, _ = all["sub"].(string)
	return &authResult{ctx: ac, cognito: cc}, exp, nil
}

func headerValue(r *http.Request, name string) string {
	vs := r.Header[name]
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

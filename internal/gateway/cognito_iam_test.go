package gateway

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/gateway/throttle"
	"github.com/stagecoach/stagecoach/internal/sigv4"
)

const (
	testPool    = "us-east-1_TestPool1"
	testPoolARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + testPool
	testIssuer  = "https://cognito-idp.us-east-1.amazonaws.com/" + testPool
)

// tokenMinter signs user pool tokens with a key made for the test.
type tokenMinter struct {
	t      *testing.T
	signer jose.Signer
	jwks   *jose.JSONWebKeySet
}

func newTokenMinter(t *testing.T) *tokenMinter {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	return &tokenMinter{t: t, signer: signer, jwks: &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}}
}

func (m *tokenMinter) mint(claims map[string]any) string {
	tok, err := jwt.Signed(m.signer).Claims(claims).Serialize()
	if err != nil {
		m.t.Fatal(err)
	}
	return tok
}

func TestCognitoAuthorizer(t *testing.T) {
	now := time.Unix(1700000000, 0)
	clock := throttle.NewManualClock(now)
	minter := newTokenMinter(t)
	app := newLambdaRuntime(t, func(ev map[string]any) (string, int, bool) {
		return `{"statusCode": 200, "body": "ok"}`, 200, false
	})
	e := newTestEnv(t, Options{Clock: clock, LambdaEndpoints: map[string]string{"app": app.URL},
		CognitoJWKS: map[string]*jose.JSONWebKeySet{testPool: minter.jwks}})
	b := newAPIBuilder("cogapi1")
	b.api.Authorizers = map[string]*apigw.Authorizer{"cg1": {ID: "cg1", Name: "pool", Type: apigw.AuthorizerCognito,
		ProviderARNs: []string{testPoolARN}, IdentitySource: "method.request.header.Authorization"}}
	for path, scopes := range map[string][]string{"/profile": nil, "/pets": {"pets/read", "pets/admin"}} {
		m := b.method(path, "GET", &apigw.Integration{Type: apigw.IntegrationAWSProxy, URI: lambdaURI("app")})
		m.AuthorizationType, m.AuthorizerID, m.AuthorizationScopes = "COGNITO_USER_POOLS", "cg1", scopes
	}
	e.deploy(b, "prod", nil)

	exp := now.Add(time.Hour).Unix()
	idToken := minter.mint(map[string]any{"iss": testIssuer, "sub": "u-1", "token_use": "id", "exp": exp, "email": "a@b.c", "custom:role": "admin"})
	access := minter.mint(map[string]any{"iss": testIssuer, "sub": "u-1", "token_use": "access", "exp": exp, "scope": "openid pets/read"})
	wrongScope := minter.mint(map[string]any{"iss": testIssuer, "sub": "u-1", "token_use": "access", "exp": exp, "scope": "pets/write"})
	expired := minter.mint(map[string]any{"iss": testIssuer, "sub": "u-1", "token_use": "id", "exp": now.Add(-time.Second).Unix()})
	otherIssuer := minter.mint(map[string]any{"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other", "sub": "u-1", "token_use": "id", "exp": exp})
	forged := newTokenMinter(t).mint(map[string]any{"iss": testIssuer, "sub": "u-1", "token_use": "id", "exp": exp})

	for _, c := range []struct {
		name, path, token string
		status            int
		body              string
	}{
		{"id token", "/profile", idToken, 200, "ok"},
		{"id token with Bearer", "/profile", "Bearer " + idToken, 200, "ok"},
		{"access token with a scope", "/pets", access, 200, "ok"},
		{"access token where an id token is wanted", "/profile", access, 401, `{"message":"Unauthorized"}`},
		{"id token where scopes are wanted", "/pets", idToken, 401, `{"message":"Unauthorized"}`},
		{"wrong scope", "/pets", wrongScope, 401, `{"message":"Unauthorized"}`},
		{"expired", "/profile", expired, 401, `{"message":"The incoming token has expired"}`},
		{"wrong issuer", "/profile", otherIssuer, 401, `{"message":"Unauthorized"}`},
		{"signed by another key", "/profile", forged, 401, `{"message":"Unauthorized"}`},
		{"no token", "/profile", "", 401, `{"message":"Unauthorized"}`},
		{"garbage", "/profile", "not.a.jwt", 401, `{"message":"Unauthorized"}`},
	} {
		h := http.Header{}
		if c.token != "" {
			h.Set("Authorization", c.token)
		}
		resp := e.invoke("GET", "cogapi1", "prod", c.path, nil, h)
		if body := readAll(t, resp); resp.StatusCode != c.status || body != c.body {
			t.Errorf("%s: %d %s, want %d %s", c.name, resp.StatusCode, body, c.status, c.body)
		}
	}
	// The claims reach the integration as requestContext.authorizer.claims.
	e.invoke("GET", "cogapi1", "prod", "/profile", nil, http.Header{"Authorization": {idToken}}).Body.Close()
	claims := app.lastEvent()["requestContext"].(map[string]any)["authorizer"].(map[string]any)["claims"].(map[string]any)
	if claims["email"] != "a@b.c" || claims["custom:role"] != "admin" || claims["sub"] != "u-1" {
		t.Errorf("claims = %v", claims)
	}
	// A verified token stays valid in the cache only until it expires.
	clock.Advance(time.Hour)
	resp := e.invoke("GET", "cogapi1", "prod", "/profile", nil, http.Header{"Authorization": {idToken}})
	if body := readAll(t, resp); resp.StatusCode != 401 || body != `{"message":"The incoming token has expired"}` {
		t.Errorf("token past its exp after caching: %d %s", resp.StatusCode, body)
	}
}

func TestIAMAuthorization(t *testing.T) {
	creds, err := sigv4.NewCredentials(sigv4.Credential{Profile: "ci", AccessKeyID: "AKIDTESTKEY", SecretAccessKey: "s3cr3t"})
	if err != nil {
		t.Fatal(err)
	}
	app := newLambdaRuntime(t, func(ev map[string]any) (string, int, bool) {
		return `{"statusCode": 200, "body": "ok"}`, 200, false
	})
	e := newTestEnv(t, Options{IAMCredentials: creds, LambdaEndpoints: map[string]string{"app": app.URL}})
	b := newAPIBuilder("iamapi1")
	m := b.method("/things", "POST", &apigw.Integration{Type: apigw.IntegrationAWSProxy, URI: lambdaURI("app")})
	m.AuthorizationType = "AWS_IAM"
	e.deploy(b, "prod", nil)

	url := e.srv.URL + "/restapis/iamapi1/prod/_user_request_/things"
	send := func(key, secret, service string, signedAt time.Time) (int, string) {
		body := `{"n":1}`
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		if key != "" {
			sum := sha256.Sum256([]byte(body))
			err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
				req, hex.EncodeToString(sum[:]), service, "us-east-1", signedAt)
			if err != nil {
				t.Fatal(err)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(t, resp)
	}
	now := time.Now()
	if status, body := send("AKIDTESTKEY", "s3cr3t", "execute-api", now); status != 200 || body != "ok" {
		t.Fatalf("signed: %d %s", status, body)
	}
	ev := app.lastEvent()
	id := ev["requestContext"].(map[string]any)["identity"].(map[string]any)
	if id["accessKey"] != "AKIDTESTKEY" || id["caller"] != "AKIDTESTKEY" || id["userArn"] != "arn:aws:iam::000000000000:user/ci" {
		t.Errorf("identity = %v", id)
	}
	if ev["body"] != `{"n":1}` {
		t.Errorf("the body read for the signature did not reach the integration: %v", ev["body"])
	}
	for _, c := range []struct {
		name                 string
		key, secret, service string
		at                   time.Time
		status               int
		prefix               string
	}{
		{"unsigned", "", "", "", now, 403, `{"message":"Missing Authentication Token"}`},
		{"wrong secret", "AKIDTESTKEY", "nope", "execute-api", now, 403, `{"message":"The request signature we calculated does not match`},
		{"unknown key", "AKIDOTHER", "s3cr3t", "execute-api", now, 403, `{"message":"The security token included in the request is invalid."}`},
		{"other service", "AKIDTESTKEY", "s3cr3t", "apigateway", now, 403, `{"message":"Credential should be scoped to correct service: 'execute-api'. "}`},
		{"stale", "AKIDTESTKEY", "s3cr3t", "execute-api", now.Add(-time.Hour), 403, `{"message":"Signature expired: `},
	} {
		status, body := send(c.key, c.secret, c.service, c.at)
		if status != c.status || !strings.HasPrefix(body, c.prefix) {
			t.Errorf("%s: %d %s, want %d %s…", c.name, status, body, c.status, c.prefix)
		}
	}
	if n := len(app.events); n != 1 {
		t.Errorf("integration called %d times, want only for the signed call", n)
	}
}

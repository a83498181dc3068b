package gateway_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// Binary payloads through a non-proxy HTTP integration: contentHandling
// converts a binary request to Base64 text for the backend and the
// backend's Base64 text back to bytes; without contentHandling the
// Accept header against binaryMediaTypes decides.
func TestBinaryContentHandling(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe}
	var got []byte
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/echo-text": // answers the Base64 text it was sent
			w.Header().Set("Content-Type", "text/plain")
			w.Write(got)
		case "/image":
			w.Header().Set("Content-Type", "image/png")
			w.Write(png)
		}
	}))
	defer backend.Close()
	s := newSDKAPI(t, nil, "")
	ctx := servertest.Ctx()
	_, err := s.api.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: &s.id, PatchOperations: []types.PatchOperation{
		{Op: types.OpAdd, Path: aws.String("/binaryMediaTypes/image~1png")}}})
	s.must(err)
	integrate := func(path, verb, uri string, reqHandling, respHandling types.ContentHandlingStrategy) {
		t.Helper()
		res := aws.String(s.res[path])
		if verb != "GET" {
			_, err := s.api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &s.id, ResourceId: res, HttpMethod: &verb, AuthorizationType: aws.String("NONE")})
			s.must(err)
		}
		_, err := s.api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &s.id, ResourceId: res, HttpMethod: &verb,
			Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(backend.URL + uri), ContentHandling: reqHandling})
		s.must(err)
		_, err = s.api.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &s.id, ResourceId: res, HttpMethod: &verb, StatusCode: aws.String("200")})
		s.must(err)
		_, err = s.api.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &s.id, ResourceId: res, HttpMethod: &verb,
			StatusCode: aws.String("200"), ContentHandling: respHandling})
		s.must(err)
	}
	integrate("/a", "POST", "/echo-text", types.ContentHandlingStrategyConvertToText, types.ContentHandlingStrategyConvertToBinary)
	integrate("/b", "POST", "/image", "", "")
	integrate("/c", "POST", "/image", "", types.ContentHandlingStrategyConvertToText)
	integrate("/proxy", "POST", "/echo-text", types.ContentHandlingStrategyConvertToBinary, "")
	s.deploy()

	send := func(path, ctype, accept string, body []byte) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		s.must(err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, b
	}
	b64 := base64.StdEncoding.EncodeToString(png)

	// Round trip: bytes in, Base64 text at the backend, bytes out.
	code, body := send("/a", "image/png", "image/png", png)
	if code != 200 || !bytes.Equal(body, png) || string(got) != b64 {
		t.Errorf("round trip: %d %q, backend got %q", code, body, got)
	}
	// No contentHandling: a binary backend answer stays bytes for a
	// binary Accept and becomes Base64 text for a text one.
	if code, body := send("/b", "application/json", "image/png", []byte(`{}`)); code != 200 || !bytes.Equal(body, png) {
		t.Errorf("binary Accept: %d %q", code, body)
	}
	if code, body := send("/b", "application/json", "application/json", []byte(`{}`)); code != 200 || string(body) != b64 {
		t.Errorf("text Accept: %d %q", code, body)
	}
	// CONVERT_TO_TEXT on the response whatever the Accept.
	if code, body := send("/c", "application/json", "image/png", []byte(`{}`)); code != 200 || string(body) != b64 {
		t.Errorf("CONVERT_TO_TEXT response: %d %q", code, body)
	}
	// CONVERT_TO_BINARY on a request that is not Base64: 500.
	if code, body := send("/proxy", "text/plain", "", []byte("not base64!")); code != 500 || string(body) != `{"message": "Internal server error"}` {
		t.Errorf("undecodable request: %d %q", code, body)
	}
	// ... and on Base64 text: the backend gets the bytes.
	if code, _ := send("/proxy", "text/plain", "", []byte(b64)); code != 200 || !bytes.Equal(got, png) {
		t.Errorf("decoded request: %d, backend got %q", code, got)
	}
}

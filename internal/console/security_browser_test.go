package console_test

// Browser security tests: a real headless Chromium. A page from another
// origin tries a form POST and fetches against the management API and
// changes nothing; with --credentials the console's login, CSRF-carrying
// mutations and logout work, and the session cookie is out of reach of
// scripts and of other sites.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/chromedp/chromedp"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// startChromium starts a headless Chromium with a fresh profile and
// returns its tab's context (3-minute budget).
func startChromium(t *testing.T) context.Context {
	t.Helper()
	bctx := launchChromium(t)
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// statusLog wraps the gateway and records the status of every
// management request, so a test sees that the server refused (not only
// that the browser hid the answer).
type statusLog struct {
	next http.Handler
	mu   sync.Mutex
	seen []string // "METHOD path status"
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (s *statusLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	s.next.ServeHTTP(sw, r)
	if sw.status == 0 {
		sw.status = 200
	}
	s.mu.Lock()
	s.seen = append(s.seen, fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, sw.status))
	s.mu.Unlock()
}

func (s *statusLog) requests(method, path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, l := range s.seen {
		if strings.HasPrefix(l, method+" "+path+" ") {
			out = append(out, l)
		}
	}
	return out
}

// attackPage is a page on another origin that tries, against the
// gateway at target: a text/plain form POST into a hidden iframe (the
// classic CSRF), a no-cors text/plain fetch POST, a no-cors DELETE with
// credentials, and a CORS JSON POST (which needs a preflight). It sets
// window.attacks to a promise of what each attempt saw.
const attackPage = `<!doctype html><html><body>
<iframe name="sink" id="sink"></iframe>
<form id="csrf" method="POST" enctype="text/plain" target="sink" action="%[1]s/restapis/%[2]s/deployments">
<input type="hidden" name='{"stageName":"pwned","x":"' value='"}'>
</form>
<script>
var target = %[1]q, api = %[2]q;
function settle(p) { return p.then(function (r) { return "answered " + r.type + " " + r.status; }, function (e) { return "failed: " + e; }); }
window.attacks = Promise.all([
  new Promise(function (resolve) {
    document.getElementById("sink").addEventListener("load", function () { resolve("form submitted"); });
    document.getElementById("csrf").submit();
  }),
  settle(fetch(target + "/restapis/" + api + "/deployments", {method: "POST", mode: "no-cors", credentials: "include",
    headers: {"Content-Type": "text/plain"}, body: JSON.stringify({stageName: "pwned2"})})),
  settle(fetch(target + "/restapis/" + api, {method: "DELETE", credentials: "include"})),
  settle(fetch(target + "/restapis/" + api + "/deployments", {method: "POST", credentials: "include",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({stageName: "pwned3"})})),
]);
</script></body></html>`

// serveAttacker serves attackPage on a second httptest server, reached
// as localhost (another site than the gateway's 127.0.0.1).
func serveAttacker(t *testing.T, gateway, apiID string) string {
	t.Helper()
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, attackPage, gateway, apiID)
	}))
	t.Cleanup(evil.Close)
	return strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
}

// awaitJS evaluates js in the page and waits for the promise it returns.
func awaitJS[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

func runAttack(t *testing.T, ctx context.Context, page string) []string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open attack page: %v", err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.attacks`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("attacks: %v", err)
	}
	return res
}

// deployableAPI creates an API with a MOCK GET / method, so that a
// create-deployment the attack page slipped through would succeed.
func deployableAPI(t *testing.T, api *apigateway.Client, name string) string {
	t.Helper()
	ctx := servertest.Ctx()
	created, err := api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	root := res.Items[0].Id
	if _, err := api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: created.Id, ResourceId: root,
		HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: created.Id, ResourceId: root,
		HttpMethod: aws.String("GET"), Type: agtypes.IntegrationTypeMock}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(created.Id)
}

// checkUntouched: the API is there and has no deployment.
func checkUntouched(t *testing.T, api *apigateway.Client, id string) {
	t.Helper()
	ctx := servertest.Ctx()
	if _, err := api.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(id)}); err != nil {
		t.Fatalf("the API is gone: %v", err)
	}
	deps, err := api.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: aws.String(id)})
	if err != nil || len(deps.Items) != 0 {
		t.Fatalf("deployments after the attack: %v %v", deps, err)
	}
}

// TestCrossOriginPageCannotChangeTheGateway runs the attack page against
// a developer-mode gateway (nothing authenticates; only the guard's
// Origin / Sec-Fetch-Site / content-type checks stand in the way).
func TestCrossOriginPageCannotChangeTheGateway(t *testing.T) {
	ctx := startChromium(t)
	env := servertest.Start(t, nil)
	log := &statusLog{next: env.App.Handler()}
	gw := httptest.NewServer(log)
	t.Cleanup(gw.Close)
	api := env.APIGateway()
	id := deployableAPI(t, api, "victim")

	res := runAttack(t, ctx, serveAttacker(t, gw.URL, id))
	t.Logf("attack results: %q", res)
	if len(res) != 4 || res[0] != "form submitted" || !strings.HasPrefix(res[2], "failed") || !strings.HasPrefix(res[3], "failed") {
		t.Errorf("attack results = %q (the preflighted DELETE and POST must fail)", res)
	}
	checkUntouched(t, api, id)
	// The server itself refused what reached it.
	posts := log.requests("POST", "/restapis/"+id+"/deployments")
	if len(posts) < 2 {
		t.Fatalf("the browser did not send the form and the no-cors POST: %v", posts)
	}
	for _, p := range posts {
		if !strings.HasSuffix(p, " 403") {
			t.Errorf("refused with another status: %s", p)
		}
	}
	for _, d := range log.requests("DELETE", "/restapis/"+id) {
		if !strings.HasSuffix(d, " 403") {
			t.Errorf("DELETE answered: %s", d)
		}
	}
}

// TestConsoleLogin: with credentials the console asks for a key and
// secret, then works through its session (mutations carry the CSRF
// token); the cookie is HttpOnly; a mutation without the token, a
// cross-site page and a logged-out browser are refused.
func TestConsoleLogin(t *testing.T) {
	const key, secret = "AKIACONSOLELOGIN", "console/secret+1"
	ctx := startChromium(t)
	creds := servertest.CredentialsFile(t, map[string][2]string{"console": {key, secret}})
	env := servertest.Start(t, &server.Config{Credentials: creds})
	api := apigateway.NewFromConfig(env.AWSConfigFor(key, secret))
	id := deployableAPI(t, api, "logged-in")
	b := &browser{t: t, ctx: ctx, base: env.URL, env: env, api: api, width: 1280}

	// A page needs a login and comes back after it.
	b.do(chromedp.Navigate(env.URL+"/console/settings"), chromedp.WaitVisible(chromedp.ID("access-key-id")))
	if p := b.path(); p != "/console/login" {
		t.Fatalf("without a session the console shows %s", p)
	}
	b.checkLabels()
	b.shot("login")
	b.typeInto("#access-key-id", key)
	b.typeInto("#secret-access-key", "wrong")
	b.click("#login-form button[type=submit]")
	b.do(chromedp.WaitVisible(chromedp.ID("login-error")))
	if got := b.text("#login-error"); !strings.Contains(got, "not one of the gateway's credentials") {
		t.Errorf("login error = %q", got)
	}
	b.typeInto("#access-key-id", key)
	b.typeInto("#secret-access-key", secret)
	b.click("#login-form button[type=submit]")
	b.do(chromedp.WaitVisible(chromedp.ID("cloudwatch-role-arn")))
	if p := b.path(); p != "/console/settings" {
		t.Fatalf("after login the console shows %s", p)
	}
	if got := b.text(".signout .user"); got != key {
		t.Errorf("signed-in user = %q", got)
	}
	if c := eval[string](b, "document.cookie"); strings.Contains(c, "stagecoach_session") {
		t.Errorf("the session cookie is readable by scripts: %q", c)
	}

	// A mutation through the console (fetch PATCH /account with the token).
	const role = "arn:aws:iam::123456789012:role/apigw-logs"
	b.typeInto("#cloudwatch-role-arn", role)
	b.mustSave(`form[data-url="/account"] button[type=submit]`, "Settings saved.")
	acct, err := api.GetAccount(servertest.Ctx(), &apigateway.GetAccountInput{})
	if err != nil || aws.ToString(acct.CloudwatchRoleArn) != role {
		t.Fatalf("GetAccount = %v, %v", acct, err)
	}
	// The same call without the CSRF token is refused, even same-origin.
	status := awaitJS[int](b, `fetch("/account", {method: "PATCH", headers: {"Content-Type": "application/json"},
		body: JSON.stringify({patchOperations: [{op: "replace", path: "/cloudwatchRoleArn", value: "arn:aws:iam::123456789012:role/other"}]})}).then(r => r.status)`)
	if status != 403 {
		t.Errorf("PATCH without the CSRF token: %d, want 403", status)
	}
	// The dashboard's log tail calls the Logs API (awsJson) through the
	// session, with the token as console.js sends it.
	if st := awaitJS[int](b, `fetch("/", {method: "POST", headers: {"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
		"Content-Type": "application/x-amz-json-1.1",
		"X-Stagecoach-Csrf": document.querySelector('meta[name="stagecoach-csrf"]').content}, body: "{}"}).then(r => r.status)`); st != 200 {
		t.Errorf("Logs API through the session: %d", st)
	}
	// Reads through the session work.
	if n := awaitJS[int](b, `fetch("/restapis").then(r => r.json()).then(d => d.item.length)`); n != 1 {
		t.Errorf("GET /restapis through the session: %d APIs", n)
	}

	// Another site, with this logged-in browser, changes nothing.
	res := runAttack(t, ctx, serveAttacker(t, env.URL, id))
	t.Logf("attack results with a session: %q", res)
	checkUntouched(t, api, id)

	// Sign out: back to the login page, the session is gone.
	b.do(chromedp.Navigate(env.URL+"/console/"), chromedp.WaitVisible(chromedp.ID("sign-out")))
	b.click("#sign-out")
	b.do(chromedp.WaitVisible(chromedp.ID("access-key-id")))
	if n := awaitJS[int](b, `fetch("/restapis").then(r => r.status)`); n != 403 {
		t.Errorf("GET /restapis after sign-out: %d, want 403", n)
	}
	acct, _ = api.GetAccount(servertest.Ctx(), &apigateway.GetAccountInput{})
	if aws.ToString(acct.CloudwatchRoleArn) != role {
		t.Errorf("role changed by a refused call: %q", aws.ToString(acct.CloudwatchRoleArn))
	}
}

package console_test

// Browser tests: a real headless Chromium walks the console guide's flows
// against a whole in-process gateway (servertest), and every outcome is
// checked through the AWS SDK's API Gateway client, not through the page.
//
// Chromium comes from Debian (`apt-get install -y chromium`). Without it
// these tests skip, except under CI=true, where they fail: CI must install
// it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/stagecoach/stagecoach/internal/console"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
	"github.com/stagecoach/stagecoach/internal/telemetry"
	"github.com/stagecoach/stagecoach/internal/telemetry/logsapi"
	"github.com/stagecoach/stagecoach/internal/telemetry/logstore"
)

// chromiumPath finds Debian's Chromium (or another Chrome) or skips; under
// CI=true a missing browser is a failure, so CI cannot pass by skipping.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed (apt-get install -y chromium); browser tests cannot be skipped in CI")
	}
	t.Skip("Chromium is not installed (apt-get install -y chromium); skipping browser tests")
	return ""
}

// call is one request the browser sent to the gateway's REST API.
type call struct {
	Method, Path string
	Body         []byte
}

// gatewayFront sits between the browser and the gateway and records every
// control-plane call the console makes, so tests can check that a Save
// Changes is one PATCH with the expected operations.
type gatewayFront struct {
	next http.Handler
	// logs, when set, answers the CloudWatch Logs API in place of a
	// gateway that does not serve it.
	logs  http.Handler
	mu    sync.Mutex
	calls []call
}

func (g *gatewayFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.logs != nil && strings.HasPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.") {
		g.logs.ServeHTTP(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/console") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		g.mu.Lock()
		g.calls = append(g.calls, call{r.Method, r.URL.RequestURI(), body})
		g.mu.Unlock()
	}
	g.next.ServeHTTP(w, r)
}

// writes returns the recorded non-GET calls and forgets all calls.
func (g *gatewayFront) writes() []call {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []call
	for _, c := range g.calls {
		if c.Method != http.MethodGet {
			out = append(out, c)
		}
	}
	g.calls = nil
	return out
}

// browser is one Chromium tab on one gateway.
type browser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	env     *servertest.Env
	api     *apigateway.Client
	front   *gatewayFront
	mu      sync.Mutex
	foreign []string // requests to anything but the gateway
	jsErrs  []string
	width   int64
}

// newBrowser starts a gateway, a recording front for it and a headless
// Chromium with a fresh profile.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	env := servertest.Start(t, nil)
	front := &gatewayFront{next: env.App.Handler()}
	ts := httptest.NewServer(front)
	t.Cleanup(ts.Close)

	bctx := launchChromium(t)
	b := &browser{t: t, base: ts.URL, env: env, api: env.APIGateway(), front: front, width: 1280}
	if err := chromedp.Listen(bctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			u := e.Request.URL
			if !strings.HasPrefix(u, ts.URL+"/") && !strings.HasPrefix(u, "data:") {
				b.mu.Lock()
				b.foreign = append(b.foreign, u)
				b.mu.Unlock()
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Uncaught page exceptions fail the test at its end.
	go func() {
		for msg, err := range chromedp.Console(bctx) {
			if err != nil {
				return
			}
			// Uncaught exceptions, and CSP refusals (an inline script or
			// style, or anything from another origin).
			if msg.Type == chromedp.ConsoleException || strings.Contains(msg.Text, "Content Security Policy") {
				b.mu.Lock()
				b.jsErrs = append(b.jsErrs, msg.Text)
				b.mu.Unlock()
			}
		}
	}()
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(cancel)
	b.ctx = ctx
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.foreign) > 0 {
			t.Errorf("the console loaded something from elsewhere: %v", b.foreign)
		}
		if len(b.jsErrs) > 0 {
			t.Errorf("uncaught JavaScript exceptions: %v", b.jsErrs)
		}
	})
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

func run[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// eval runs a script in the page and decodes its result.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	return run(b, chromedp.Evaluate[T](js))
}

// open loads a console page and checks it is accessible: every visible
// form control has a label.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
	b.checkLabels()
}

// checkLabels fails for any form control without a <label for> (or an
// aria-label), on the page as it is now.
func (b *browser) checkLabels() {
	b.t.Helper()
	missing := eval[[]string](b, `Array.from(document.querySelectorAll("input, select, textarea"))
		.filter(el => el.type !== "hidden" && !el.closest("template"))
		.filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
		.map(el => el.outerHTML.slice(0, 120))`)
	if len(missing) > 0 {
		b.t.Errorf("%s: form controls without a label: %v", eval[string](b, "location.pathname"), missing)
	}
}

// shot saves a full-page screenshot to artifacts/console/{name}.png at the
// repository root (git-ignored).
func (b *browser) shot(name string) {
	b.t.Helper()
	png := run(b, chromedp.FullScreenshot(100))
	dir := filepath.Join("..", "..", "artifacts", "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// shotView saves only the viewport, for modal dialogs (whose backdrop
// covers the viewport, not the whole page).
func (b *browser) shotView(name string) {
	b.t.Helper()
	png := run(b, chromedp.CaptureScreenshot())
	dir := filepath.Join("..", "..", "artifacts", "console")
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// typeInto replaces a text field's content the way a person would:
// select all, delete, type. (chromedp.Clear rewrites the value attribute,
// which is the field's default value, so it is not used.)
func (b *browser) typeInto(sel, text string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	if !eval[bool](b, fmt.Sprintf(`(function(el){ if (!el) return false; el.focus(); el.value = ""; return el.value === ""; })(document.querySelector(%q))`, sel)) {
		b.t.Fatalf("cannot clear %s", sel)
	}
	b.do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// choose picks an option of a select.
func (b *browser) choose(sel, value string) {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.CSS(sel), value))
}

// setChecked clicks a checkbox if it is not in the wanted state.
func (b *browser) setChecked(sel string, want bool) {
	b.t.Helper()
	if eval[bool](b, fmt.Sprintf(`document.querySelector(%q).checked`, sel)) != want {
		b.click(sel)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

func (b *browser) path() string { return eval[string](b, "location.pathname") }

// submit clicks a submit button and waits for the page that shows the
// result: the flash message after the reload or redirect, or the inline
// error of the form. It returns the flash text or the error text.
func (b *browser) submit(sel string) (flash string, errText string) {
	b.t.Helper()
	eval[chromedp.Void](b, `(function(){ var f = document.getElementById("flash"); if (f) { f.hidden = true; f.textContent = ""; } document.querySelectorAll(".form-error").forEach(e => { e.hidden = true; e.textContent = ""; }); window.__waiting = true; })()`)
	b.click(sel)
	res := b.waitFor(`(function(){
		var f = document.getElementById("flash");
		if (!window.__waiting && f && !f.hidden && f.textContent) return {flash: f.textContent};
		var e = Array.from(document.querySelectorAll(".form-error")).find(e => !e.hidden && e.textContent);
		if (e) return {error: e.textContent};
		return null;
	})()`)
	return res["flash"], res["error"]
}

// waitFor evaluates js until it returns a non-null object, across page
// loads (an evaluation cut short by a navigation is retried).
func (b *browser) waitFor(js string) map[string]string {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]string](js))
		if err == nil && res != nil {
			return res
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waiting at %s: %v (last error %v)", b.path(), res, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mustSave submits and fails the test on an inline error.
func (b *browser) mustSave(sel, wantFlash string) {
	b.t.Helper()
	flash, errText := b.submit(sel)
	if errText != "" {
		b.t.Fatalf("saving at %s: inline error %q", b.path(), errText)
	}
	if flash != wantFlash {
		b.t.Fatalf("flash = %q, want %q", flash, wantFlash)
	}
	b.checkLabels()
}

// patchOps decodes the only write recorded since the last check, which
// must be one PATCH to path.
func (b *browser) onePatch(path string) []map[string]string {
	b.t.Helper()
	ws := b.front.writes()
	if len(ws) != 1 || ws[0].Method != http.MethodPatch || ws[0].Path != path {
		b.t.Fatalf("want exactly one PATCH %s, got %+v", path, ws)
	}
	var body struct {
		PatchOperations []map[string]string `json:"patchOperations"`
	}
	if err := json.Unmarshal(ws[0].Body, &body); err != nil {
		b.t.Fatal(err)
	}
	return body.PatchOperations
}

// fixture is a REST API with /pets (GET, POST) and /pets/{petId} (GET),
// MOCK integrations, and two deployments.
type fixture struct {
	apiID              string
	firstDep, secondDp string
}

func makeFixture(t *testing.T, api *apigateway.Client) fixture {
	t.Helper()
	ctx := servertest.Ctx()
	ra, err := api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("petstore"), Description: aws.String("Pets for sale")})
	if err != nil {
		t.Fatalf("CreateRestApi: %v", err)
	}
	id := aws.ToString(ra.Id)
	root := aws.ToString(ra.RootResourceId)
	if root == "" {
		rs, err := api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: ra.Id})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs.Items {
			if aws.ToString(r.Path) == "/" {
				root = aws.ToString(r.Id)
			}
		}
	}
	pets, err := api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: ra.Id, ParentId: aws.String(root), PathPart: aws.String("pets")})
	if err != nil {
		t.Fatalf("CreateResource: %v", err)
	}
	pet, err := api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: ra.Id, ParentId: pets.Id, PathPart: aws.String("{petId}")})
	if err != nil {
		t.Fatalf("CreateResource: %v", err)
	}
	for _, m := range []struct {
		res  *string
		verb string
	}{{pets.Id, "GET"}, {pets.Id, "POST"}, {pet.Id, "GET"}} {
		if _, err := api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: ra.Id, ResourceId: m.res, HttpMethod: aws.String(m.verb), AuthorizationType: aws.String("NONE")}); err != nil {
			t.Fatalf("PutMethod: %v", err)
		}
		if _, err := api.PutIntegration(ctx, &apigateway.PutIntegrationInput{
			RestApiId: ra.Id, ResourceId: m.res, HttpMethod: aws.String(m.verb), Type: agtypes.IntegrationTypeMock,
			RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
		}); err != nil {
			t.Fatalf("PutIntegration: %v", err)
		}
	}
	d1, err := api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: ra.Id, Description: aws.String("first release")})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	d2, err := api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: ra.Id, Description: aws.String("second release")})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	return fixture{apiID: id, firstDep: aws.ToString(d1.Id), secondDp: aws.ToString(d2.Id)}
}

func (f fixture) createStage(t *testing.T, api *apigateway.Client, name, dep string) {
	t.Helper()
	if _, err := api.CreateStage(servertest.Ctx(), &apigateway.CreateStageInput{
		RestApiId: aws.String(f.apiID), StageName: aws.String(name), DeploymentId: aws.String(dep),
	}); err != nil {
		t.Fatalf("CreateStage: %v", err)
	}
}

func (f fixture) getStage(t *testing.T, api *apigateway.Client, name string) *apigateway.GetStageOutput {
	t.Helper()
	st, err := api.GetStage(servertest.Ctx(), &apigateway.GetStageInput{RestApiId: aws.String(f.apiID), StageName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetStage: %v", err)
	}
	return st
}

func setRoleARN(t *testing.T, api *apigateway.Client, arn string) {
	t.Helper()
	if _, err := api.UpdateAccount(servertest.Ctx(), &apigateway.UpdateAccountInput{PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/cloudwatchRoleArn"), Value: aws.String(arn)},
	}}); err != nil {
		t.Fatalf("UpdateAccount: %v", err)
	}
}

// apiMessage is the message of an SDK error, as the API sent it.
func apiMessage(err error) string {
	var ae interface{ ErrorMessage() string }
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// The guide's "Create a New Stage": APIs → an API → Stages → Create, with
// a name, a description and a deployment chosen by date and time.
func TestBrowserCreateStage(t *testing.T) {
	b := newBrowser(t)
	f := makeFixture(t, b.api)

	b.open("/console/")
	b.shot("apis")
	b.click(`a[href="/console/apis/` + f.apiID + `/resources"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS("ul.tree")))
	if got := b.text("ul.tree"); !strings.Contains(got, "/{petId}") || !strings.Contains(got, "POST") {
		t.Errorf("resource tree = %q", got)
	}
	b.shot("resources")
	b.click(`.apinav a[href$="/deployments"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS("table.list")))
	if got := b.text("table.list"); !strings.Contains(got, "first release") || !strings.Contains(got, f.secondDp) {
		t.Errorf("deployments list = %q", got)
	}
	b.shot("deployments")
	b.click(`.apinav a[href$="/stages"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(".pane")))
	b.shot("stages-empty")
	b.click(`.pane a.button`) // Create
	b.do(chromedp.WaitVisible(chromedp.ID("stage-name")))

	// The drop-down lists deployments by date and time, with descriptions.
	opts := eval[[]string](b, `Array.from(document.querySelectorAll("#stage-deployment option")).map(o => o.textContent)`)
	if len(opts) != 2 || !strings.Contains(strings.Join(opts, "|"), "second release ("+f.secondDp+")") {
		t.Errorf("deployment options = %q", opts)
	}
	for _, o := range opts {
		if !strings.Contains(o, " UTC") || !strings.Contains(o, time.Now().UTC().Format("2006-01-02")) {
			t.Errorf("deployment option %q does not start with the date and time", o)
		}
	}
	b.typeInto("#stage-name", "prod")
	b.typeInto("#stage-description", "Production")
	b.choose("#stage-deployment", f.firstDep)
	b.shot("create-stage")
	b.mustSave(`form[data-action="create-stage"] button[type=submit]`, "Stage created.")
	if p := b.path(); p != "/console/apis/"+f.apiID+"/stages/prod/" {
		t.Errorf("after Create the browser is at %s, want the stage editor", p)
	}
	st := f.getStage(t, b.api, "prod")
	if aws.ToString(st.DeploymentId) != f.firstDep || aws.ToString(st.Description) != "Production" {
		t.Errorf("stage = deployment %q description %q", aws.ToString(st.DeploymentId), aws.ToString(st.Description))
	}
	w := b.front.writes()
	if len(w) != 1 || w[0].Method != http.MethodPost || w[0].Path != "/restapis/"+f.apiID+"/stages" {
		t.Errorf("create wrote %+v, want one POST to the stages collection", w)
	}

	// Creating it again shows AWS's message inline and changes nothing.
	_, sdkErr := b.api.CreateStage(servertest.Ctx(), &apigateway.CreateStageInput{RestApiId: aws.String(f.apiID), StageName: aws.String("prod"), DeploymentId: aws.String(f.secondDp)})
	want := apiMessage(sdkErr)
	if want == "" {
		t.Fatalf("CreateStage of an existing name: err %v, want an API error", sdkErr)
	}
	b.open("/console/apis/" + f.apiID + "/create-stage")
	b.typeInto("#stage-name", "prod")
	b.choose("#stage-deployment", f.secondDp)
	if _, errText := b.submit(`form[data-action="create-stage"] button[type=submit]`); errText != want {
		t.Errorf("inline error = %q, want the API's message %q", errText, want)
	}
	b.shot("create-stage-error")
	if got := aws.ToString(f.getStage(t, b.api, "prod").DeploymentId); got != f.firstDep {
		t.Errorf("failed create changed the stage's deployment to %s", got)
	}
	b.open("/console/apis/" + f.apiID + "/stages")
	if got := b.text("table.list"); !strings.Contains(got, "prod") || !strings.Contains(got, "Production") {
		t.Errorf("stages list = %q", got)
	}
	b.shot("stages")
}

// The guide's "Update Stage Settings": cache, CloudWatch and throttling on
// the Settings tab, the role ARN on the account Settings page, and a
// per-method override.
func TestBrowserStageSettings(t *testing.T) {
	b := newBrowser(t)
	f := makeFixture(t, b.api)
	f.createStage(t, b.api, "prod", f.firstDep)
	stagePath := "/restapis/" + f.apiID + "/stages/prod"
	editor := "/console/apis/" + f.apiID + "/stages/prod/"

	b.open(editor)
	if got := b.text("#invoke-url"); got != "" {
		t.Logf("invoke url text %q", got)
	}
	wantURL := b.base + "/restapis/" + f.apiID + "/prod/_user_request_/"
	if got := run(b, chromedp.Value(chromedp.ID("invoke-url"))); got != wantURL {
		t.Errorf("invoke URL = %q, want %q", got, wantURL)
	}
	if !strings.Contains(b.text("#role-requirement"), "No CloudWatch log role ARN is set") {
		t.Errorf("role requirement note = %q", b.text("#role-requirement"))
	}

	// Without the account's role, enabling logs fails with AWS's message
	// and nothing is stored.
	b.setChecked("#cw-logs", true)
	b.choose("#cw-level", "INFO")
	_, errText := b.submit(`#throttling-settings ~ .actions button[type=submit]`)
	if errText != "CloudWatch Logs role ARN must be set in account settings to enable logging" {
		t.Errorf("inline error = %q", errText)
	}
	b.shot("stage-settings-role-error")
	if ops := b.onePatch(stagePath); len(ops) != 1 || ops[0]["path"] != "/*/*/logging/loglevel" || ops[0]["value"] != "INFO" {
		t.Errorf("ops = %v", ops)
	}
	if ms := f.getStage(t, b.api, "prod").MethodSettings; len(ms) != 0 {
		t.Errorf("failed save stored method settings %v", ms)
	}

	// The note links to the account Settings page, where the role is set.
	b.click(`#role-requirement a[href="/console/settings"]`)
	b.do(chromedp.WaitVisible(chromedp.ID("cloudwatch-role-arn")))
	if got := b.text("#account-rate"); !strings.Contains(got, "10000") {
		t.Errorf("account rate = %q", got)
	}
	b.click(".rolehelp summary")
	if got := b.text(".rolehelp"); !strings.Contains(got, "logs:FilterLogEvents") || !strings.Contains(got, `"Service": "apigateway.amazonaws.com"`) {
		t.Errorf("role help lacks the guide's policy texts: %q", got)
	}
	const role = "arn:aws:iam::123456789012:role/apigw-logs"
	b.typeInto("#cloudwatch-role-arn", role)
	b.shot("account-settings")
	b.mustSave(`form[data-url="/account"] button[type=submit]`, "Settings saved.")
	if ops := b.onePatch("/account"); len(ops) != 1 || ops[0]["path"] != "/cloudwatchRoleArn" || ops[0]["value"] != role {
		t.Errorf("account ops = %v", ops)
	}
	acct, err := b.api.GetAccount(servertest.Ctx(), &apigateway.GetAccountInput{})
	if err != nil || aws.ToString(acct.CloudwatchRoleArn) != role {
		t.Fatalf("GetAccount = %v, %v", acct, err)
	}

	// Now every setting of the tab in one Save Changes.
	b.open(editor)
	b.setChecked("#cache-enabled", true)
	b.choose("#cache-size", "1.6")
	b.setChecked("#cache-encrypt", true)
	b.typeInto("#cache-ttl", "120")
	b.setChecked("#cache-require-auth", true)
	b.choose("#cache-unauth-strategy", "FAIL_WITH_403")
	b.setChecked("#cw-logs", true)
	b.choose("#cw-level", "INFO")
	b.setChecked("#cw-data-trace", true)
	b.setChecked("#cw-metrics", true)
	// Limits above the account's are refused before anything is sent.
	b.typeInto("#throttle-rate", "20000")
	_, errText = b.submit(`#throttling-settings ~ .actions button[type=submit]`)
	if errText != "Rate must not be more than the account-level rate limit of 10000 requests per second." {
		t.Errorf("over-limit message = %q", errText)
	}
	if w := b.front.writes(); len(w) != 0 {
		t.Errorf("an over-limit rate was sent: %+v", w)
	}
	b.shot("stage-settings-limit-error")
	b.typeInto("#throttle-rate", "100")
	b.typeInto("#throttle-burst", "50")
	b.shot("stage-settings-filled")
	b.mustSave(`#throttling-settings ~ .actions button[type=submit]`, "Changes saved.")
	ops := b.onePatch(stagePath)
	got := map[string]string{}
	for _, o := range ops {
		if o["op"] != "replace" {
			t.Errorf("op %v", o)
		}
		got[o["path"]] = o["value"]
	}
	want := map[string]string{
		"/cacheClusterEnabled":                                "true",
		"/*/*/caching/enabled":                                "true",
		"/cacheClusterSize":                                   "1.6",
		"/*/*/caching/dataEncrypted":                          "true",
		"/*/*/caching/ttlInSeconds":                           "120",
		"/*/*/caching/unauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403",
		"/*/*/logging/loglevel":                               "INFO",
		"/*/*/logging/dataTrace":                              "true",
		"/*/*/metrics/enabled":                                "true",
		"/*/*/throttling/rateLimit":                           "100",
		"/*/*/throttling/burstLimit":                          "50",
	}
	// Require authorization is already on by default, so it is no change.
	for p, v := range want {
		if got[p] != v {
			t.Errorf("patch %s = %q, want %q (all ops %v)", p, got[p], v, ops)
		}
	}
	if len(got) != len(want) {
		t.Errorf("patch has %d ops, want %d: %v", len(got), len(want), ops)
	}
	b.shot("stage-settings")

	st := f.getStage(t, b.api, "prod")
	if !st.CacheClusterEnabled || st.CacheClusterSize != agtypes.CacheClusterSize("1.6") {
		t.Errorf("cache cluster = %v %q", st.CacheClusterEnabled, st.CacheClusterSize)
	}
	all := st.MethodSettings["*/*"]
	if !all.CachingEnabled || !all.CacheDataEncrypted || all.CacheTtlInSeconds != 120 || !all.RequireAuthorizationForCacheControl ||
		all.UnauthorizedCacheControlHeaderStrategy != agtypes.UnauthorizedCacheControlHeaderStrategyFailWith403 ||
		aws.ToString(all.LoggingLevel) != "INFO" || !all.DataTraceEnabled || !all.MetricsEnabled ||
		all.ThrottlingRateLimit != 100 || all.ThrottlingBurstLimit != 50 {
		t.Errorf("*/* settings = %+v", all)
	}
	// The page shows what was saved.
	if v := run(b, chromedp.Value(chromedp.ID("cache-ttl"))); v != "120" {
		t.Errorf("TTL field after save = %q", v)
	}

	// Per-method override: GET /pets/{petId} from the stage's tree.
	b.click(`.tree a.verb[href*="path=%2Fpets%2F%7BpetId%7D"][href*="verb=GET"]`)
	b.do(chromedp.WaitVisible(chromedp.ID("method-override")))
	b.checkLabels()
	if eval[bool](b, `document.getElementById("method-override").checked`) {
		t.Fatal("a method without its own entry shows as overridden")
	}
	if v := run(b, chromedp.Value(chromedp.ID("m-cache-ttl"))); v != "120" {
		t.Errorf("inherited TTL shown = %q, want the stage's 120", v)
	}
	if !eval[bool](b, `document.getElementById("method-settings").disabled`) {
		t.Error("inherited settings are editable before Override for this method is chosen")
	}
	b.shot("method-inherited")
	b.click("#method-override")
	b.typeInto("#m-cache-ttl", "60")
	b.setChecked("#m-cache-enabled", false)
	b.typeInto("#m-throttle-rate", "10")
	b.typeInto("#m-throttle-burst", "5")
	b.choose("#m-cw-level", "ERROR")
	b.mustSave(`#method-settings ~ .actions button[type=submit]`, "Changes saved.")
	ops = b.onePatch(stagePath)
	prefix := "/~1pets~1{petId}/GET/"
	for _, o := range ops {
		if !strings.HasPrefix(o["path"], prefix) {
			t.Errorf("override op %v is not under %s", o, prefix)
		}
	}
	b.shot("method-override")
	st = f.getStage(t, b.api, "prod")
	// AWS keeps the key as the patch path spelled it (apigw.Stage.OwnMethodSetting).
	own, ok := st.MethodSettings["~1pets~1{petId}/GET"]
	if !ok {
		t.Fatalf("no override entry; method settings %v", st.MethodSettings)
	}
	if own.CachingEnabled || own.CacheTtlInSeconds != 60 || own.ThrottlingRateLimit != 10 || own.ThrottlingBurstLimit != 5 || aws.ToString(own.LoggingLevel) != "ERROR" || !own.CacheDataEncrypted {
		t.Errorf("override = %+v", own)
	}
	if st.MethodSettings["*/*"].CacheTtlInSeconds != 120 {
		t.Errorf("override changed */*: %+v", st.MethodSettings["*/*"])
	}
	if !eval[bool](b, `document.getElementById("method-override").checked`) {
		t.Error("after saving, the method does not show as overridden")
	}

	// Removing the override: one remove of the whole entry.
	b.click("#method-override")
	b.mustSave(`#method-settings ~ .actions button[type=submit]`, "Changes saved.")
	ops = b.onePatch(stagePath)
	if len(ops) != 1 || ops[0]["op"] != "remove" || ops[0]["path"] != "/~1pets~1{petId}/GET" {
		t.Errorf("remove override ops = %v", ops)
	}
	if ms := f.getStage(t, b.api, "prod").MethodSettings; len(ms) != 1 {
		t.Errorf("after removal the stage has method settings %v, want only */*", ms)
	}
	if _, ok := f.getStage(t, b.api, "prod").MethodSettings["~1pets~1{petId}/GET"]; ok {
		t.Error("override still stored after removal")
	}
}

// The guide's "Delete a Stage": Delete Stage, the warning, then Delete.
func TestBrowserDeleteStage(t *testing.T) {
	b := newBrowser(t)
	f := makeFixture(t, b.api)
	f.createStage(t, b.api, "beta", f.firstDep)
	b.open("/console/apis/" + f.apiID + "/stages/beta/")

	b.click(`button[data-dialog="delete-stage-dialog"]`)
	b.do(chromedp.WaitVisible(chromedp.ID("delete-stage-warning")))
	const warning = "Deleting a stage may cause part or all of the corresponding API to be unusable by API callers. Deleting a stage cannot be undone, but you can recreate the stage and associate it with the same deployment."
	if got := b.text("#delete-stage-warning"); got != "Warning "+warning {
		t.Errorf("warning = %q", got)
	}
	b.shotView("delete-stage-confirm")
	// Cancel keeps the stage.
	b.click(`#delete-stage-dialog button[data-close]`)
	b.do(chromedp.WaitNotVisible(chromedp.ID("delete-stage-warning")))
	if w := b.front.writes(); len(w) != 0 {
		t.Errorf("cancel sent %+v", w)
	}
	f.getStage(t, b.api, "beta")

	b.click(`button[data-dialog="delete-stage-dialog"]`)
	b.do(chromedp.WaitVisible(chromedp.ID("confirm-delete-stage")))
	b.mustSave("#confirm-delete-stage", "Stage beta deleted.")
	if p := b.path(); p != "/console/apis/"+f.apiID+"/stages" {
		t.Errorf("after delete the browser is at %s", p)
	}
	w := b.front.writes()
	if len(w) != 1 || w[0].Method != http.MethodDelete || w[0].Path != "/restapis/"+f.apiID+"/stages/beta" {
		t.Errorf("delete wrote %+v", w)
	}
	_, err := b.api.GetStage(servertest.Ctx(), &apigateway.GetStageInput{RestApiId: aws.String(f.apiID), StageName: aws.String("beta")})
	var nf *agtypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("GetStage after delete: %v, want NotFoundException", err)
	}
	b.shot("stages-after-delete")
}

// Stage variables, access logs with the presets, canary create, promote
// and delete, and tags.
func TestBrowserStageTabs(t *testing.T) {
	b := newBrowser(t)
	f := makeFixture(t, b.api)
	f.createStage(t, b.api, "prod", f.firstDep)
	setRoleARN(t, b.api, "arn:aws:iam::123456789012:role/apigw-logs")
	stagePath := "/restapis/" + f.apiID + "/stages/prod"
	editor := "/console/apis/" + f.apiID + "/stages/prod/"

	// Stage variables: add two, then change one and remove the other.
	b.open(editor)
	b.click(`.tabs a[href$="/variables"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`button[data-kv-add="var"]`)))
	b.click(`button[data-kv-add="var"]`)
	b.click(`button[data-kv-add="var"]`)
	b.checkLabels()
	b.typeInto(`tr[data-kv-new]:nth-of-type(1) [data-kv-key]`, "backend")
	b.typeInto(`tr[data-kv-new]:nth-of-type(1) [data-kv-value]`, "pets.internal")
	b.typeInto(`tr[data-kv-new]:nth-of-type(2) [data-kv-key]`, "mode")
	b.typeInto(`tr[data-kv-new]:nth-of-type(2) [data-kv-value]`, "blue")
	b.mustSave(`form button[type=submit].primary`, "Stage variables saved.")
	if ops := b.onePatch(stagePath); len(ops) != 2 {
		t.Errorf("variables ops = %v", ops)
	}
	if v := f.getStage(t, b.api, "prod").Variables; v["backend"] != "pets.internal" || v["mode"] != "blue" {
		t.Errorf("variables = %v", v)
	}
	b.typeInto(`tr[data-kv-existing="backend"] [data-kv-value]`, "pets2.internal")
	b.click(`tr[data-kv-existing="mode"] [data-kv-remove]`)
	b.shot("stage-variables")
	b.mustSave(`form button[type=submit].primary`, "Stage variables saved.")
	ops := b.onePatch(stagePath)
	if len(ops) != 2 {
		t.Errorf("variables ops = %v", ops)
	}
	if v := f.getStage(t, b.api, "prod").Variables; len(v) != 1 || v["backend"] != "pets2.internal" {
		t.Errorf("variables = %v", v)
	}
	// An invalid value shows the API's validation message inline.
	b.typeInto(`tr[data-kv-existing="backend"] [data-kv-value]`, "bad value!")
	_, sdkErr := b.api.UpdateStage(servertest.Ctx(), &apigateway.UpdateStageInput{RestApiId: aws.String(f.apiID), StageName: aws.String("prod"),
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/variables/backend"), Value: aws.String("bad value!")}}})
	if want := apiMessage(sdkErr); want == "" {
		t.Errorf("the API accepted an invalid variable value: %v", sdkErr)
	} else if _, errText := b.submit(`form button[type=submit].primary`); errText != want {
		t.Errorf("inline error = %q, want the API's message %q", errText, want)
	}
	b.shot("stage-variables-error")
	b.front.writes()

	// Logs: each preset fills the format; save the JSON one.
	b.click(`.tabs a[href$="/logs"]`)
	b.do(chromedp.WaitVisible(chromedp.ID("access-enabled")))
	b.click("#access-enabled")
	for _, p := range []string{"CLF", "XML", "CSV", "JSON"} {
		b.click(fmt.Sprintf(`button[data-preset][data-format]:nth-child(%d)`, map[string]int{"CLF": 1, "JSON": 2, "XML": 3, "CSV": 4}[p]))
		v := run(b, chromedp.Value(chromedp.ID("access-format")))
		if !strings.Contains(v, "$context.requestId") || strings.Contains(v, "\n") {
			t.Errorf("%s preset = %q", p, v)
		}
		switch p {
		case "JSON":
			if !strings.HasPrefix(v, `{ "requestId":"$context.requestId"`) {
				t.Errorf("JSON preset = %q", v)
			}
		case "XML":
			if !strings.HasPrefix(v, `<request id="$context.requestId">`) {
				t.Errorf("XML preset = %q", v)
			}
		case "CSV":
			if !strings.HasPrefix(v, `$context.identity.sourceIp,$context.identity.caller`) {
				t.Errorf("CSV preset = %q", v)
			}
		case "CLF":
			if !strings.HasPrefix(v, `$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]`) {
				t.Errorf("CLF preset = %q", v)
			}
		}
	}
	const dest = "arn:aws:logs:us-east-1:123456789012:log-group:pets-access"
	b.typeInto("#access-destination", dest)
	b.shot("stage-logs")
	b.mustSave(`form button[type=submit].primary`, "Access log settings saved.")
	b.onePatch(stagePath)
	als := f.getStage(t, b.api, "prod").AccessLogSettings
	if als == nil || aws.ToString(als.DestinationArn) != dest || !strings.HasPrefix(aws.ToString(als.Format), `{ "requestId"`) {
		t.Errorf("access log settings = %+v", als)
	}

	// Canary: create on the second deployment with 25 %, add an override.
	b.click(`.tabs a[href$="/canary"]`)
	b.do(chromedp.WaitVisible(chromedp.ID("canary-percent")))
	b.typeInto("#canary-percent", "25")
	b.choose("#canary-deployment", f.secondDp)
	b.shot("stage-canary-create")
	b.mustSave(`form button[type=submit].primary`, "Canary created.")
	b.onePatch(stagePath)
	cs := f.getStage(t, b.api, "prod").CanarySettings
	if cs == nil || cs.PercentTraffic != 25 || aws.ToString(cs.DeploymentId) != f.secondDp {
		t.Fatalf("canary = %+v", cs)
	}
	b.click(`button[data-kv-add="override"]`)
	b.typeInto(`tr[data-kv-new] [data-kv-key]`, "mode")
	b.typeInto(`tr[data-kv-new] [data-kv-value]`, "green")
	b.mustSave(`form button[type=submit].primary`, "Canary saved.")
	if ops := b.onePatch(stagePath); len(ops) != 1 || ops[0]["path"] != "/canarySettings/stageVariableOverrides/mode" {
		t.Errorf("override ops = %v", ops)
	}
	b.shot("stage-canary")
	// Promote: the copy operations of the canary guide.
	b.click(`button[data-dialog="promote-dialog"]`)
	b.do(chromedp.WaitVisible(chromedp.ID("confirm-promote")))
	b.shotView("stage-canary-promote")
	b.mustSave("#confirm-promote", "Canary promoted.")
	ops = b.onePatch(stagePath)
	wantOps := []map[string]string{
		{"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
		{"op": "copy", "from": "/canarySettings/stageVariableOverrides", "path": "/variables"},
		{"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0.0"},
	}
	if fmt.Sprint(ops) != fmt.Sprint(wantOps) {
		t.Errorf("promote ops = %v, want %v", ops, wantOps)
	}
	st := f.getStage(t, b.api, "prod")
	if aws.ToString(st.DeploymentId) != f.secondDp || st.Variables["mode"] != "green" || st.Variables["backend"] != "pets2.internal" ||
		st.CanarySettings == nil || st.CanarySettings.PercentTraffic != 0 {
		t.Errorf("after promotion: deployment %s variables %v canary %+v", aws.ToString(st.DeploymentId), st.Variables, st.CanarySettings)
	}
	// Delete the canary.
	b.click(`button[data-dialog="delete-canary-dialog"]`)
	b.do(chromedp.WaitVisible(chromedp.ID("confirm-delete-canary")))
	b.mustSave("#confirm-delete-canary", "Canary deleted.")
	if ops := b.onePatch(stagePath); len(ops) != 1 || ops[0]["op"] != "remove" || ops[0]["path"] != "/canarySettings" {
		t.Errorf("delete canary ops = %v", ops)
	}
	if cs := f.getStage(t, b.api, "prod").CanarySettings; cs != nil {
		t.Errorf("canary after delete = %+v", cs)
	}

	// Tags: add two, then change one and remove the other.
	arn := "arn:aws:apigateway:us-east-1::/restapis/" + f.apiID + "/stages/prod"
	b.click(`.tabs a[href$="/tags"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`button[data-kv-add="tag"]`)))
	b.click(`button[data-kv-add="tag"]`)
	b.click(`button[data-kv-add="tag"]`)
	b.typeInto(`tr[data-kv-new]:nth-of-type(1) [data-kv-key]`, "team")
	b.typeInto(`tr[data-kv-new]:nth-of-type(1) [data-kv-value]`, "pets")
	b.typeInto(`tr[data-kv-new]:nth-of-type(2) [data-kv-key]`, "env")
	b.typeInto(`tr[data-kv-new]:nth-of-type(2) [data-kv-value]`, "prod")
	b.mustSave(`form button[type=submit].primary`, "Tags saved.")
	tags, err := b.api.GetTags(servertest.Ctx(), &apigateway.GetTagsInput{ResourceArn: aws.String(arn)})
	if err != nil || tags.Tags["team"] != "pets" || tags.Tags["env"] != "prod" {
		t.Errorf("tags = %v, %v", tags, err)
	}
	b.typeInto(`tr[data-kv-existing="team"] [data-kv-value]`, "animals")
	b.click(`tr[data-kv-existing="env"] [data-kv-remove]`)
	b.shot("stage-tags")
	b.mustSave(`form button[type=submit].primary`, "Tags saved.")
	w := b.front.writes()
	if len(w) != 3 { // the first save's PUT, then PUT + DELETE
		t.Errorf("tag writes = %+v", w)
	}
	tags, err = b.api.GetTags(servertest.Ctx(), &apigateway.GetTagsInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "animals" {
		t.Errorf("tags = %v, %v", tags, err)
	}
}

// Every page fits a phone's width without sideways scrolling.
func TestBrowserPhoneWidth(t *testing.T) {
	b := newBrowser(t)
	f := makeFixture(t, b.api)
	f.createStage(t, b.api, "prod", f.firstDep)
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	stage := "/console/apis/" + f.apiID + "/stages/prod/"
	pages := map[string]string{
		"phone-apis":           "/console/",
		"phone-settings":       "/console/settings",
		"phone-resources":      "/console/apis/" + f.apiID + "/resources",
		"phone-stages":         "/console/apis/" + f.apiID + "/stages",
		"phone-create-stage":   "/console/apis/" + f.apiID + "/create-stage",
		"phone-stage-settings": stage,
		"phone-stage-logs":     stage + "logs",
		"phone-stage-canary":   stage + "canary",
		"phone-method":         stage + "method?path=%2Fpets&verb=GET",
	}
	for name, p := range pages {
		b.open(p)
		w := eval[[]int](b, `[document.documentElement.scrollWidth, window.innerWidth]`)
		if w[0] > w[1] {
			t.Errorf("%s: page is %d px wide on a %d px screen", p, w[0], w[1])
		}
		b.shot(name)
	}
}

// The dashboard's live tail follows the stage's execution and access log
// groups through the CloudWatch Logs API.
func TestBrowserDashboardTail(t *testing.T) {
	b := newBrowser(t)
	f := makeFixture(t, b.api)
	f.createStage(t, b.api, "prod", f.firstDep)
	setRoleARN(t, b.api, "arn:aws:iam::123456789012:role/apigw-logs")
	const accessGroup = "pets-access"
	if _, err := b.api.UpdateStage(servertest.Ctx(), &apigateway.UpdateStageInput{RestApiId: aws.String(f.apiID), StageName: aws.String("prod"),
		PatchOperations: []agtypes.PatchOperation{
			{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/destinationArn"), Value: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:" + accessGroup)},
			{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/format"), Value: aws.String("$context.requestId $context.status")},
		}}); err != nil {
		t.Fatalf("UpdateStage: %v", err)
	}
	// Use the gateway's own Logs API when it serves one; otherwise the
	// same handler over a store of the test's own.
	logs := cwlClient(b.env.URL)
	if _, err := logs.DescribeLogGroups(servertest.Ctx(), &cwl.DescribeLogGroupsInput{}); err != nil {
		st, err := logstore.Open(filepath.Join(t.TempDir(), "logs.db"), logstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		b.front.logs = logsapi.New(st, "us-east-1")
		t.Log("the gateway does not serve the CloudWatch Logs API; the test serves it")
	}
	logs = cwlClient(b.base)
	execGroup := "API-Gateway-Execution-Logs_" + f.apiID + "/prod"

	b.open("/console/apis/" + f.apiID + "/stages/prod/dashboard")
	b.waitFor(`(function(){ var s = document.querySelector("#exec-tail + .tail-status"); return s && /does not exist/.test(s.textContent) ? {} : null; })()`)

	put := func(group, msg string) {
		t.Helper()
		ctx := servertest.Ctx()
		logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)})
		logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1")})
		if _, err := logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1"),
			LogEvents: []cwltypes.InputLogEvent{{Message: aws.String(msg), Timestamp: aws.Int64(time.Now().UnixMilli())}}}); err != nil {
			t.Fatalf("PutLogEvents: %v", err)
		}
	}
	waitLine := func(id, msg string) {
		t.Helper()
		b.waitFor(fmt.Sprintf(`(function(){ var p = document.getElementById(%q); return p && p.textContent.indexOf(%q) >= 0 ? {} : null; })()`, id, msg))
	}
	put(execGroup, "(req-1) Method request path: {petId=7}")
	waitLine("exec-tail", "(req-1) Method request path: {petId=7}")
	put(execGroup, "(req-2) Method completed with status: 200")
	waitLine("exec-tail", "(req-2) Method completed with status: 200")
	put(accessGroup, "req-2 200")
	waitLine("access-tail", "req-2 200")
	if n := eval[int](b, `document.getElementById("exec-tail").textContent.split("(req-1)").length - 1`); n != 1 {
		t.Errorf("an execution log line shows %d times", n)
	}
	b.shot("stage-dashboard")
}

func cwlClient(url string) *cwl.Client {
	return cwl.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
	})
}

// The dashboard's charts in a browser, with a console that has the
// metrics registry (the gateway's own wiring may not pass one yet).
func TestBrowserDashboardCharts(t *testing.T) {
	b := newBrowser(t)
	f := makeFixture(t, b.api)
	f.createStage(t, b.api, "prod", f.firstDep)
	cw := b.env.App.CloudWatch
	set := cw.Stage(f.apiID, "petstore", "prod")
	for i := 0; i < 30; i++ {
		ev := telemetry.RequestEvent{RequestTime: time.Now(), Status: 200, ResponseLatency: time.Duration(5+i) * time.Millisecond, Cache: telemetry.CacheHit}
		if i%2 == 1 {
			ev.Cache = telemetry.CacheMiss
		}
		if i%10 == 0 {
			ev.Status = 404
		}
		cw.Record(set, nil, nil, &ev)
	}
	withMetrics := console.New(console.Options{API: b.env.App.Handler(), Metrics: cw})
	b.front.next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/console") {
			withMetrics.ServeHTTP(w, r)
			return
		}
		b.env.App.Handler().ServeHTTP(w, r)
	})
	b.open("/console/apis/" + f.apiID + "/stages/prod/dashboard")
	if n := eval[int](b, `document.querySelectorAll("#charts svg polyline.series").length`); n != 7 {
		t.Errorf("%d chart lines drawn, want 7", n)
	}
	if got := b.text("#charts"); !strings.Contains(got, "30 requests in the last hour") || !strings.Contains(got, "3 client errors") {
		t.Errorf("charts text = %q", got)
	}
	b.shot("stage-dashboard-charts")
}

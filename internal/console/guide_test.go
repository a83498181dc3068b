package console_test

import (
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

var (
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
	// externalRE finds anything a page would load or link from elsewhere.
	externalRE = regexp.MustCompile(`(?i)(src|href|action)\s*=\s*"(https?:)?//`)
)

// getPage fetches a console page and returns its status, raw HTML and its
// visible text with tags removed and whitespace collapsed.
func getPage(t *testing.T, url string) (int, string, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	raw := string(b)
	text := spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(raw, " ")), " ")
	return res.StatusCode, raw, text
}

// Every step, field and warning of the console guide to stages
// (shared/seeds/000) can be found on the console page where a person
// following the guide looks for it.
func TestGuideWordsOnTheirPages(t *testing.T) {
	env := servertest.Start(t, nil)
	api := env.APIGateway()
	f := makeFixture(t, api)
	f.createStage(t, api, "prod", f.firstDep)
	base := env.URL + "/console/apis/" + f.apiID
	stage := base + "/stages/prod/"

	pages := []struct {
		url   string
		words []string
	}{
		{env.URL + "/console/", []string{"APIs", "petstore", "Stages", "Settings"}},
		{base + "/resources", []string{"Resources", "/pets", "/{petId}", "GET", "POST"}},
		{base + "/deployments", []string{"Deployments", "first release", "second release", f.firstDep}},
		{base + "/stages", []string{"Stages", "Create", "prod"}},
		{base + "/create-stage", []string{"Create Stage", "Stage name", "Stage description", "Deployment", "UTC — second release (" + f.secondDp + ")", "Create"}},
		{stage, []string{
			"Stage Editor", "Settings", "Invoke URL", "Copy",
			"Cache Settings", "Enable API cache", "Cache capacity", "0.5 GB", "1.6 GB", "6.1 GB", "13.5 GB", "28.4 GB", "58.2 GB", "118 GB", "237 GB",
			"Encrypt cache data", "Cache time-to-live (TTL)", "Per-key cache invalidation", "Require authorization",
			"Fail the request with 403 status code", "Ignore cache control header; Add a warning in response header", "Ignore cache control header; no warning",
			"Important By selecting this option, your AWS account may be charged for API caching.",
			"Override for this method",
			"CloudWatch Settings", "Enable CloudWatch Logs", "Log level", "ERROR", "INFO", "Log full requests/responses data",
			"No sensitive data will be logged unless the Log full requests/responses data option is selected.",
			"Enable Detailed CloudWatch Metrics", "Latency, Integration latency, 400 errors and 500 errors",
			"To enable CloudWatch Logs for all or only some of the methods, you must also specify the ARN of an IAM role that enables API Gateway to write information to CloudWatch Logs on behalf of your IAM user.",
			"CloudWatch log role ARN", "AmazonAPIGatewayPushToCloudWatchLogs", `"logs:FilterLogEvents"`, `"Service": "apigateway.amazonaws.com"`, `"Action": "sts:AssumeRole"`,
			"Default Method Throttling", "Rate", "Burst", "429 Too Many Requests", "account-level limits are a rate of 10000 requests per second and a burst of 5000 requests",
			"Save Changes",
			"Delete Stage", "Deleting a stage may cause part or all of the corresponding API to be unusable by API callers. Deleting a stage cannot be undone, but you can recreate the stage and associate it with the same deployment.", "Delete",
			"Stage Variables", "Logs", "Canary", "Tags",
		}},
		{stage + "method?path=%2Fpets%2F%7BpetId%7D&verb=GET", []string{
			"GET /pets/{petId}", "Override for this method", "inherited from the stage", "Enable Method Cache", "Log to CloudWatch Logs",
			"Your account will be charged for accessing method-level CloudWatch metrics, but not the API- or stage-level metrics.",
			"Method Throttling", "Rate", "Burst", "Save Changes", "/~1pets~1{petId}/GET",
		}},
		{stage + "variables", []string{"Stage Variables", "Name", "Value", "Add Variable", "Save Changes"}},
		{stage + "logs", []string{"Custom Access Logging", "Enable Access Logging", "Access Log Destination ARN", "Log Format", "$context.requestId", "CLF", "JSON", "XML", "CSV", "CloudWatch log role ARN"}},
		{stage + "canary", []string{"Create Canary", "Percentage of requests directed to Canary", "Canary deployment", "Use stage cache"}},
		{stage + "tags", []string{"Tags", "Key", "Value", "Add Tag", "arn:aws:apigateway:us-east-1::/restapis/" + f.apiID + "/stages/prod"}},
		{env.URL + "/console/settings", []string{"Settings", "CloudWatch log role ARN", "AmazonAPIGatewayPushToCloudWatchLogs", "sts:AssumeRole", "Save", "10000 requests per second", "5000 requests"}},
	}
	for _, p := range pages {
		status, raw, text := getPage(t, p.url)
		if status != http.StatusOK {
			t.Errorf("%s: status %d: %.300s", p.url, status, text)
			continue
		}
		for _, w := range p.words {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q not on the page", strings.TrimPrefix(p.url, env.URL), w)
			}
		}
		if p.url == stage && !strings.Contains(raw, `value="`+env.URL+"/restapis/"+f.apiID+`/prod/_user_request_/"`) {
			t.Errorf("the stage editor does not show the invoke URL")
		}
		if m := externalRE.FindString(raw); m != "" {
			t.Errorf("%s: refers to another site: %s", p.url, m)
		}
	}
}

// A page for something that does not exist shows the API's own message
// with its status.
func TestPagesShowAPIErrors(t *testing.T) {
	env := servertest.Start(t, nil)
	api := env.APIGateway()
	f := makeFixture(t, api)
	for _, tc := range []struct {
		path   string
		status int
		msg    string
	}{
		{"/console/apis/nosuchapi/stages", http.StatusNotFound, "Invalid API identifier specified 000000000000:nosuchapi"},
		{"/console/apis/" + f.apiID + "/stages/nosuch/", http.StatusNotFound, "Invalid Stage identifier specified"},
		{"/console/nowhere", http.StatusNotFound, "There is no console page at /console/nowhere."},
	} {
		status, _, text := getPage(t, env.URL+tc.path)
		if status != tc.status || !strings.Contains(text, tc.msg) {
			t.Errorf("%s: status %d, text %.300q; want %d with %q", tc.path, status, text, tc.status, tc.msg)
		}
	}
}

// The console's assets are embedded and served with the page's policy.
func TestAssetsEmbedded(t *testing.T) {
	env := servertest.Start(t, nil)
	for _, p := range []string{"/console/static/console.js", "/console/static/console.css"} {
		res, err := http.Get(env.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(b) < 1000 {
			t.Errorf("%s: status %d, %d bytes", p, res.StatusCode, len(b))
		}
		if externalRE.Match(b) || strings.Contains(string(b), "@import") {
			t.Errorf("%s loads something from elsewhere", p)
		}
	}
	res, err := http.Get(env.URL + "/console")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/console/" {
		t.Errorf("/console ended at %s, want /console/", res.Request.URL.Path)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

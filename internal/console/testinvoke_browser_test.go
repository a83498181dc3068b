package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The resources page's Test form runs a method with test-invoke-method
// and shows status, body and the execution log without reloading.
func TestBrowserTestMethod(t *testing.T) {
	b := newBrowser(t)
	f := makeFixture(t, b.api)
	b.open("/console/apis/" + f.apiID + "/resources")
	form := `form[aria-label="Test GET /pets"]`
	b.click(`details.test-method:has(` + form + `) summary`)
	b.typeInto(form+` input[name=pathWithQueryString]`, "/pets?limit=2")
	b.typeInto(form+` textarea[name=headers]`, "Accept: application/json")
	b.click(form + ` button[type=submit]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(form + ` .test-result`)))
	// The fixture's MOCK has no integration response: AWS's configuration
	// error, which the log explains.
	if got := b.text(form + ` [data-result=status]`); got != "500" {
		t.Errorf("status = %q", got)
	}
	log := b.text(form + ` [data-result=log]`)
	for _, want := range []string{"Execution log for request", "HTTP Method: GET, Resource Path: /pets", "Method request query string: {limit=2}",
		"Gateway response type: API_CONFIGURATION_ERROR with status code: 500", "Method completed with status: 500"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	b.shot("test-method")
}

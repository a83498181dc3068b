package console

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/telemetry/accesslog"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
)

// crumb is one breadcrumb link.
type crumb struct {
	Label, Href string
}

// pageData is what every template gets. Fields a page does not need stay
// zero.
type pageData struct {
	Title   string
	Crumbs  []crumb
	PageErr string // a read failed; shown instead of the page body

	APIs  []*apigw.RestAPI
	API   *apigw.RestAPI
	Nav   string // which API tab is active: resources, stages, deployments
	Stage *apigw.Stage
	Tab   string // stage editor tab

	Account     *apigw.Account
	Stages      []*apigw.Stage
	Deployments []deploymentView
	Resources   []treeNode
	ResourceIDs map[string]string // resource path → id (the resources page's Test forms)
	Tree        []treeNode        // the stage's deployed resource/method tree
	TreeSource  string            // where Tree came from, said on the page

	InvokeURL string
	StageARN  string
	Tags      []kv
	Variables []kv
	Overrides []kv

	Stagewide settingView // the "*/*" entry or the defaults in force
	Method    *methodView

	Charts         []chart
	HasMetrics     bool   // the gateway keeps metrics for the dashboard
	Traffic        bool   // the stage has served requests since start
	ExecLogGroup   string // execution log group of the stage
	AccessLogGroup string // access log group the gateway writes to, when access logging is on

	Sizes      []string
	Strategies []option
	Presets    []preset

	// Authentication (serve --credentials): the session's CSRF token and
	// access key, and the login page's fields.
	CSRF     string
	User     string
	Next     string
	LoginErr string
}

type kv struct{ Key, Value string }

type option struct{ Value, Label string }

type preset struct{ Name, Format string }

// deploymentView is a deployment as the drop-down and the list show it.
type deploymentView struct {
	ID, Description, When string
	Stages                []string
}

// Label is the drop-down text: date and time first, as the guide says
// ("choose the date and time of the existing API deployment"), then the
// description and the id.
func (d deploymentView) Label() string {
	s := d.When
	if d.Description != "" {
		s += " — " + d.Description
	}
	return s + " (" + d.ID + ")"
}

// settingView is one method-settings entry in the form's terms.
type settingView struct {
	apigw.MethodSetting
	Exists bool
}

// LogsOn reports whether execution logging is enabled (ERROR or INFO).
func (s settingView) LogsOn() bool {
	return s.LoggingLevel == "ERROR" || s.LoggingLevel == "INFO"
}

// Level is the level the drop-down shows: the stored one when logging is
// on, else ERROR, the level the guide names first.
func (s settingView) Level() string {
	if s.LogsOn() {
		return s.LoggingLevel
	}
	return "ERROR"
}

// Rate formats the rate limit without a spurious ".0".
func (s settingView) Rate() string {
	return strconv.FormatFloat(s.ThrottlingRateLimit, 'f', -1, 64)
}

// Strategy is the unauthorized-request strategy in force.
func (s settingView) Strategy() string {
	if s.UnauthorizedCacheControlHeaderStrategy == "" {
		return apigw.DefaultUnauthorizedCacheControlStrategy
	}
	return s.UnauthorizedCacheControlHeaderStrategy
}

// methodView is the method page's subject.
type methodView struct {
	Path, Verb string
	Prefix     string // patch path prefix, "/~1pets/GET"
	Key        string // methodSettings key, "~1pets/GET" (or "pets/GET" if stored so)
	Overridden bool
	Settings   settingView // own entry when overridden, else inherited
	InvokeURL  string
}

// strategies are the unauthorized-request choices with the console's words.
var strategies = []option{
	{"FAIL_WITH_403", "Fail the request with 403 status code"},
	{"SUCCEED_WITH_RESPONSE_HEADER", "Ignore cache control header; Add a warning in response header"},
	{"SUCCEED_WITHOUT_RESPONSE_HEADER", "Ignore cache control header; no warning"},
}

// accessLogPresets are the console's access-log format examples
// (data-plane.md §8.2), each a single line.
var accessLogPresets = []preset{
	{"CLF", `$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId $context.extendedRequestId`},
	{"JSON", `{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId", "ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }`},
	{"XML", `<request id="$context.requestId"> <extendedRequestId>$context.extendedRequestId</extendedRequestId> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>`},
	{"CSV", `$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,$context.requestId,$context.extendedRequestId`},
}

// fail renders a read error with the API's own status and message.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, d *pageData, err error) {
	status := http.StatusBadGateway
	msg := err.Error()
	var ae *apiError
	if errors.As(err, &ae) {
		status, msg = ae.Status, ae.Message
	}
	if d.Title == "" {
		d.Title = "Error"
	}
	d.PageErr = msg
	c.render(w, r, status, "error.html", d)
}

func apisCrumb() crumb { return crumb{"APIs", "/console/"} }

func apiHref(id string) string { return "/console/apis/" + url.PathEscape(id) + "/" }

func stageHref(id, stage string) string {
	return apiHref(id) + "stages/" + url.PathEscape(stage) + "/"
}

func (c *Console) apisPage(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Title: "APIs", Crumbs: []crumb{apisCrumb()}}
	apis, err := c.api.restAPIs(r.Context())
	if err != nil {
		c.fail(w, r, d, err)
		return
	}
	sort.Slice(apis, func(i, j int) bool { return apis[i].Name < apis[j].Name })
	d.APIs = apis
	c.render(w, r, http.StatusOK, "apis.html", d)
}

func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Title: "Settings", Crumbs: []crumb{apisCrumb(), {"Settings", "/console/settings"}}}
	acct, err := c.api.account(r.Context())
	if err != nil {
		c.fail(w, r, d, err)
		return
	}
	d.Account = acct
	c.render(w, r, http.StatusOK, "settings.html", d)
}

// loader fills part of a page's data once d.API is known.
type loader func(r *http.Request, d *pageData) error

// loadAPI fills the API and its breadcrumbs, then runs the page's other
// loaders in order; on the first error it renders the error page and
// returns false.
func (c *Console) loadAPI(w http.ResponseWriter, r *http.Request, d *pageData, then ...loader) bool {
	api, err := c.api.restAPI(r.Context(), r.PathValue("api"))
	if err != nil {
		c.fail(w, r, d, err)
		return false
	}
	d.API = api
	d.Crumbs = []crumb{apisCrumb(), {api.Name, apiHref(api.ID)}}
	for _, load := range then {
		if err := load(r, d); err != nil {
			c.fail(w, r, d, err)
			return false
		}
	}
	return true
}

func (c *Console) resourcesPage(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Title: "Resources", Nav: "resources"}
	if !c.loadAPI(w, r, d) {
		return
	}
	rs, err := c.api.resources(r.Context(), d.API.ID)
	if err != nil {
		c.fail(w, r, d, err)
		return
	}
	d.Resources = buildTree(resourceMethods(rs))
	d.ResourceIDs = map[string]string{}
	for _, res := range rs {
		d.ResourceIDs[res.Path] = res.ID
	}
	d.Crumbs = append(d.Crumbs, crumb{"Resources", apiHref(d.API.ID) + "resources"})
	c.render(w, r, http.StatusOK, "resources.html", d)
}

// loadDeployments fills Deployments, newest first, with the stages using
// each.
func (c *Console) loadDeployments(r *http.Request, d *pageData) error {
	deps, err := c.api.deployments(r.Context(), d.API.ID)
	if err != nil {
		return err
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].CreatedDate.After(deps[j].CreatedDate.Time) })
	using := map[string][]string{}
	for _, s := range d.Stages {
		using[s.DeploymentID] = append(using[s.DeploymentID], s.StageName)
		if s.CanarySettings != nil && s.CanarySettings.DeploymentID != "" {
			using[s.CanarySettings.DeploymentID] = append(using[s.CanarySettings.DeploymentID], s.StageName+" (canary)")
		}
	}
	d.Deployments = d.Deployments[:0]
	for _, dep := range deps {
		d.Deployments = append(d.Deployments, deploymentView{
			ID: dep.ID, Description: dep.Description, When: formatTime(dep.CreatedDate), Stages: using[dep.ID],
		})
	}
	return nil
}

func formatTime(t apigw.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func (c *Console) loadStages(r *http.Request, d *pageData) error {
	st, err := c.api.stages(r.Context(), d.API.ID)
	if err != nil {
		return err
	}
	sort.Slice(st, func(i, j int) bool { return st[i].StageName < st[j].StageName })
	d.Stages = st
	return nil
}

func (c *Console) deploymentsPage(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Title: "Deployments", Nav: "deployments"}
	if !c.loadAPI(w, r, d, c.loadStages, c.loadDeployments) {
		return
	}
	d.Crumbs = append(d.Crumbs, crumb{"Deployments", apiHref(d.API.ID) + "deployments"})
	c.render(w, r, http.StatusOK, "deployments.html", d)
}

func (c *Console) stagesPage(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Title: "Stages", Nav: "stages"}
	if !c.loadAPI(w, r, d, c.loadStages) {
		return
	}
	d.Crumbs = append(d.Crumbs, crumb{"Stages", apiHref(d.API.ID) + "stages"})
	c.render(w, r, http.StatusOK, "stages.html", d)
}

func (c *Console) createStagePage(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Title: "Create Stage", Nav: "stages"}
	if !c.loadAPI(w, r, d, c.loadStages, c.loadDeployments) {
		return
	}
	d.Crumbs = append(d.Crumbs, crumb{"Stages", apiHref(d.API.ID) + "stages"}, crumb{"Create Stage", apiHref(d.API.ID) + "create-stage"})
	c.render(w, r, http.StatusOK, "create-stage.html", d)
}

// loadStage fills everything the stage editor's pages share: the API, the
// stage list (the Stages pane), the stage, the account, its deployed
// method tree and its invoke URL.
func (c *Console) loadStage(w http.ResponseWriter, r *http.Request, d *pageData) bool {
	if !c.loadAPI(w, r, d) {
		return false
	}
	ctx := r.Context()
	st, err := c.api.stage(ctx, d.API.ID, r.PathValue("stage"))
	if err != nil {
		c.fail(w, r, d, err)
		return false
	}
	d.Stage = st
	if err := c.loadStages(r, d); err != nil {
		c.fail(w, r, d, err)
		return false
	}
	if d.Account, err = c.api.account(ctx); err != nil {
		c.fail(w, r, d, err)
		return false
	}
	d.Tree, d.TreeSource = c.stageTree(r, d.API.ID, st.DeploymentID)
	d.InvokeURL = invokeURL(r, d.API.ID, st.StageName)
	d.StageARN = apigw.StageARN(c.region, d.API.ID, st.StageName)
	ws, ok := st.MethodSettings[apigw.WildcardMethodKey]
	if !ok {
		ws = apigw.NewMethodSetting(d.Account.ThrottleSettings)
	}
	d.Stagewide = settingView{MethodSetting: ws, Exists: ok}
	d.Sizes = apigw.CacheClusterSizes
	d.Strategies = strategies
	d.Crumbs = append(d.Crumbs, crumb{"Stages", apiHref(d.API.ID) + "stages"}, crumb{st.StageName, stageHref(d.API.ID, st.StageName)})
	return true
}

// stageTree is the stage's resource/method tree. The deployment's
// apiSummary is what the stage actually serves; when it cannot be read the
// live resource tree stands in and the page says so.
func (c *Console) stageTree(r *http.Request, apiID, depID string) ([]treeNode, string) {
	if depID != "" {
		if dep, err := c.api.deployment(r.Context(), apiID, depID); err == nil && dep.APISummary != nil {
			return buildTree(summaryMethods(dep.APISummary)), "deployment " + depID
		}
	}
	rs, err := c.api.resources(r.Context(), apiID)
	if err != nil {
		return nil, ""
	}
	return buildTree(resourceMethods(rs)), "the API's current resources (not yet deployed)"
}

// invokeURL is the emulator path form of the stage's URL on the host the
// browser used: http://{host}/restapis/{id}/{stage}/_user_request_/.
func invokeURL(r *http.Request, apiID, stage string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/restapis/" + url.PathEscape(apiID) + "/" + url.PathEscape(stage) + "/_user_request_/"
}

func sortedKV(m map[string]string) []kv {
	out := make([]kv, 0, len(m))
	for k, v := range m {
		out = append(out, kv{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

var tabTitles = map[string]string{
	"settings": "Settings", "variables": "Stage Variables", "logs": "Logs",
	"canary": "Canary", "tags": "Tags", "dashboard": "Dashboard",
}

func (c *Console) stageTab(tab string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d := &pageData{Nav: "stages", Tab: tab}
		if !c.loadStage(w, r, d) {
			return
		}
		d.Title = d.Stage.StageName + " — " + tabTitles[tab]
		switch tab {
		case "variables":
			d.Variables = sortedKV(d.Stage.Variables)
		case "logs":
			d.Presets = accessLogPresets
		case "canary":
			if err := c.loadDeployments(r, d); err != nil {
				c.fail(w, r, d, err)
				return
			}
			if d.Stage.CanarySettings != nil {
				d.Overrides = sortedKV(d.Stage.CanarySettings.StageVariableOverrides)
			}
		case "dashboard":
			if c.metrics != nil {
				d.HasMetrics = true
				pts, ok := c.metrics.StageSeries(d.API.ID, d.Stage.StageName)
				d.Traffic = ok
				if !ok {
					pts = make([]cwmetrics.Point, 60)
				}
				d.Charts = dashboardCharts(pts)
			}
			d.ExecLogGroup = "API-Gateway-Execution-Logs_" + d.API.ID + "/" + d.Stage.StageName
			if a := d.Stage.AccessLogSettings; a != nil {
				// The group the gateway's recorder writes to: the same
				// function decides both, so the tail follows the logs
				// (a Firehose destination logs to a local group too).
				d.AccessLogGroup, _ = accesslog.LogGroupFor(a.DestinationArn)
			}
		case "tags":
			tags, err := c.api.tags(r.Context(), d.StageARN)
			if err != nil {
				c.fail(w, r, d, err)
				return
			}
			d.Tags = sortedKV(tags)
		}
		c.render(w, r, http.StatusOK, "stage-"+tab+".html", d)
	}
}

func (c *Console) methodPage(w http.ResponseWriter, r *http.Request) {
	d := &pageData{Nav: "stages", Tab: "method"}
	if !c.loadStage(w, r, d) {
		return
	}
	path, verb := r.URL.Query().Get("path"), strings.ToUpper(r.URL.Query().Get("verb"))
	if !strings.HasPrefix(path, "/") || verb == "" {
		d.PageErr = "Choose a method from the stage's resource tree."
		c.render(w, r, http.StatusBadRequest, "error.html", d)
		return
	}
	m := &methodView{
		Path: path, Verb: verb,
		Prefix:    methodPatchPrefix(path, verb),
		Key:       apigw.EscapedMethodSettingKey(path, verb),
		InvokeURL: strings.TrimSuffix(d.InvokeURL, "/") + path,
	}
	// An override may be stored under either key spelling (a Terraform
	// client writes "pets/GET"); edit and remove it under the one it has.
	if own, key, ok := d.Stage.OwnMethodSetting(path, verb); ok {
		m.Key, m.Prefix = key, "/"+key
		m.Overridden = true
		m.Settings = settingView{MethodSetting: own, Exists: true}
	} else {
		m.Settings = d.Stagewide
	}
	d.Method = m
	d.Title = verb + " " + path + " — " + d.Stage.StageName
	d.Crumbs = append(d.Crumbs, crumb{verb + " " + path, r.URL.RequestURI()})
	c.render(w, r, http.StatusOK, "stage-method.html", d)
}

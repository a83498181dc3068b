package recorder

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/telemetry/accesslog"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
	"github.com/stagecoach/stagecoach/internal/telemetry/execlog"
	"github.com/stagecoach/stagecoach/internal/telemetry/metrics"
)

// StageInfo is what a stage's telemetry is compiled from.
type StageInfo struct {
	RestAPIID string
	APIName   string // the RestApi's name: the ApiName metrics label
	Stage     *apigw.Stage
}

// Stage is a stage's compiled telemetry configuration: log groups, the
// compiled access log format, metric children, and per-method settings
// resolved on first use. Build one with Recorder.Stage whenever the
// stage's configuration changes (it is immutable; method lookups are
// cached inside). Safe for concurrent use.
type Stage struct {
	rec           *Recorder
	restAPIID     string
	apiName       string
	name          string
	settings      map[string]apigw.MethodSetting
	access        *accesslog.Format // nil: access logging off
	accessGroup   string
	execGroup     string
	metrics       *metrics.Set
	canaryMetrics *metrics.Set
	cw, cwCanary  *cwmetrics.Series // CloudWatch series; nil without a collector
	def           *Method

	mu      sync.Mutex                                    // serialises cache misses
	methods atomic.Pointer[map[string]map[string]*Method] // resource path → verb → method
}

// Method is one method's effective telemetry settings within a stage.
type Method struct {
	stage    *Stage
	exec     execlog.Settings
	detailed *metrics.Set // nil unless metricsEnabled

	cwDetailed *cwmetrics.Series // nil unless metricsEnabled and a collector
}

// Stage compiles a stage's telemetry. It reads info.Stage now and keeps
// no reference to it.
func (r *Recorder) Stage(info StageInfo) *Stage {
	st := info.Stage
	s := &Stage{
		rec:       r,
		restAPIID: info.RestAPIID,
		apiName:   info.APIName,
		name:      st.StageName,
		settings:  make(map[string]apigw.MethodSetting, len(st.MethodSettings)),
		execGroup: execlog.GroupName(info.RestAPIID, st.StageName),
	}
	for k, v := range st.MethodSettings {
		s.settings[k] = v
	}
	if a := st.AccessLogSettings; a != nil && a.Format != "" {
		if group, ok := accesslog.LogGroupFor(a.DestinationArn); ok {
			s.access = accesslog.Compile(a.Format)
			s.accessGroup = group
		}
	}
	if r.metrics != nil {
		s.metrics = r.metrics.Stage(info.RestAPIID, info.APIName, st.StageName)
		if st.CanarySettings != nil {
			s.canaryMetrics = r.metrics.Stage(info.RestAPIID, info.APIName, st.StageName+canarySuffix)
		}
	}
	if r.cw != nil {
		s.cw = r.cw.Stage(info.RestAPIID, info.APIName, st.StageName)
		s.cwCanary = r.cw.Canary(info.RestAPIID, info.APIName, st.StageName)
	}
	r.namesMu.Lock()
	r.names[cwmetrics.StageID{APIID: strings.ToLower(info.RestAPIID), Stage: st.StageName}] = info.APIName
	r.namesMu.Unlock()
	ms := st.MethodSettings[apigw.WildcardMethodKey]
	s.def = &Method{stage: s, exec: execlog.Settings{Level: execlog.ParseLevel(ms.LoggingLevel), DataTrace: ms.DataTraceEnabled}}
	empty := map[string]map[string]*Method{}
	s.methods.Store(&empty)
	return s
}

// canarySuffix names the canary's log groups and metric stage
// (data-plane.md §6).
const canarySuffix = "/Canary"

// Default returns the stage-wide ("*/*") settings, for requests that
// matched no method (they still count in metrics and may be logged).
func (s *Stage) Default() *Method { return s.def }

// Method returns the settings of the method verb on the resource at
// resourcePath ("/pets/{petId}"), as Stage.MethodSettingFor resolves
// them. verb is the API method's own verb ("ANY" for an ANY method),
// which is what methodSettings keys and the Method metric label use.
func (s *Stage) Method(resourcePath, verb string) *Method {
	if m := (*s.methods.Load())[resourcePath][verb]; m != nil {
		return m
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := *s.methods.Load()
	if m := cur[resourcePath][verb]; m != nil {
		return m
	}
	m := s.resolve(resourcePath, verb)
	next := make(map[string]map[string]*Method, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	verbs := make(map[string]*Method, len(cur[resourcePath])+1)
	for k, v := range cur[resourcePath] {
		verbs[k] = v
	}
	verbs[verb] = m
	next[resourcePath] = verbs
	s.methods.Store(&next)
	return m
}

func (s *Stage) resolve(resourcePath, verb string) *Method {
	st := apigw.Stage{MethodSettings: s.settings}
	ms, _ := st.MethodSettingFor(resourcePath, verb)
	m := &Method{stage: s, exec: execlog.Settings{Level: execlog.ParseLevel(ms.LoggingLevel), DataTrace: ms.DataTraceEnabled}}
	if ms.MetricsEnabled && s.rec.metrics != nil {
		m.detailed = s.rec.metrics.Method(s.apiName, s.name, verb, resourcePath)
	}
	if ms.MetricsEnabled && s.cw != nil {
		m.cwDetailed = s.rec.cw.Method(s.cw, verb, resourcePath)
	}
	return m
}

// ExecutionLogging returns the method's effective execution log settings.
func (m *Method) ExecutionLogging() execlog.Settings { return m.exec }

// DataTrace reports whether the gateway should capture headers and
// bodies (RequestEvent's dataTrace-only fields) for this method. When
// false, leave them nil: they would not be logged.
func (m *Method) DataTrace() bool { return m.exec.Level != execlog.Off && m.exec.DataTrace }

// AccessLogging reports whether the stage writes access logs.
func (m *Method) AccessLogging() bool { return m.stage.access != nil }

// Logged reports whether a request to this method leaves log lines: an
// access log line, or an execution log line at the method's level (INFO
// always, ERROR when the request failed, execlog.Failed). Record drops
// the event without it; the gateway fills the log-only fields with it.
func (m *Method) Logged(failed bool) bool {
	return m.stage.access != nil || m.exec.Level == execlog.Info || m.exec.Level == execlog.Error && failed
}

// DetailedMetrics reports whether per-method metrics are on.
func (m *Method) DetailedMetrics() bool { return m.detailed != nil }

// ExecutionLogGroup is the stage's execution log group.
func (s *Stage) ExecutionLogGroup() string { return s.execGroup }

// AccessLogGroup is the access log destination group; "" when off.
func (s *Stage) AccessLogGroup() string { return s.accessGroup }

// Retain stops reporting the metrics of every stage not in live (keys:
// lower-case REST API id and stage name; values: the API's name): a
// deleted stage or API leaves Prometheus's /metrics and the CloudWatch
// store, and so does the old ApiName of a renamed API. The gateway calls
// it with the stages it serves after each configuration change.
func (r *Recorder) Retain(ctx context.Context, live map[cwmetrics.StageID]string) error {
	r.namesMu.Lock()
	type label struct{ name, stage string }
	inUse := map[label]bool{}
	for id, name := range live {
		inUse[label{metrics.CleanAPIName(name), id.Stage}] = true
	}
	for id, name := range r.names {
		if cur, ok := live[id]; ok && cur == name {
			continue
		}
		delete(r.names, id)
		// Names are labels, not ids: another live API of the same name
		// may still be counting under them.
		if r.metrics != nil && !inUse[label{metrics.CleanAPIName(name), id.Stage}] {
			r.metrics.Forget(id.APIID, name, id.Stage)
			r.metrics.Forget(id.APIID, name, id.Stage+canarySuffix)
		}
	}
	r.namesMu.Unlock()
	if r.cw == nil {
		return nil
	}
	ids := make(map[cwmetrics.StageID]bool, len(live))
	for id := range live {
		ids[id] = true
	}
	return r.cw.Retain(ctx, ids)
}

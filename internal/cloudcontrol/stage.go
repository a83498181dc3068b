package cloudcontrol

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// stageModel is AWS::ApiGateway::Stage's property document (cloudcontrol.md
// §3). Optional scalars are pointers where "absent" and the zero value
// must be told apart when building patch operations.
type stageModel struct {
	RestApiId            string               `json:"RestApiId,omitempty"`
	StageName            string               `json:"StageName,omitempty"`
	DeploymentId         string               `json:"DeploymentId,omitempty"`
	Description          string               `json:"Description,omitempty"`
	CacheClusterEnabled  *bool                `json:"CacheClusterEnabled,omitempty"`
	CacheClusterSize     string               `json:"CacheClusterSize,omitempty"`
	ClientCertificateId  string               `json:"ClientCertificateId,omitempty"`
	DocumentationVersion string               `json:"DocumentationVersion,omitempty"`
	TracingEnabled       *bool                `json:"TracingEnabled,omitempty"`
	Variables            map[string]string    `json:"Variables,omitempty"`
	AccessLogSetting     *accessLogModel      `json:"AccessLogSetting,omitempty"`
	CanarySetting        *stageCanaryModel    `json:"CanarySetting,omitempty"`
	MethodSettings       []methodSettingModel `json:"MethodSettings,omitempty"`
	Tags                 []tagModel           `json:"Tags,omitempty"`
}

type accessLogModel struct {
	DestinationArn string `json:"DestinationArn,omitempty"`
	Format         string `json:"Format,omitempty"`
}

type stageCanaryModel struct {
	DeploymentId           string            `json:"DeploymentId,omitempty"`
	PercentTraffic         *float64          `json:"PercentTraffic,omitempty"`
	StageVariableOverrides map[string]string `json:"StageVariableOverrides,omitempty"`
	UseStageCache          *bool             `json:"UseStageCache,omitempty"`
}

type methodSettingModel struct {
	CacheDataEncrypted   *bool    `json:"CacheDataEncrypted,omitempty"`
	CacheTtlInSeconds    *int     `json:"CacheTtlInSeconds,omitempty"`
	CachingEnabled       *bool    `json:"CachingEnabled,omitempty"`
	DataTraceEnabled     *bool    `json:"DataTraceEnabled,omitempty"`
	HttpMethod           string   `json:"HttpMethod,omitempty"`
	LoggingLevel         string   `json:"LoggingLevel,omitempty"`
	MetricsEnabled       *bool    `json:"MetricsEnabled,omitempty"`
	ResourcePath         string   `json:"ResourcePath,omitempty"`
	ThrottlingBurstLimit *int     `json:"ThrottlingBurstLimit,omitempty"`
	ThrottlingRateLimit  *float64 `json:"ThrottlingRateLimit,omitempty"`
}

var stageMeta = &typeMeta{
	TypeName:     "AWS::ApiGateway::Stage",
	Primary:      []string{"RestApiId", "StageName"},
	Required:     []string{"RestApiId"},
	CreateOnly:   []string{"RestApiId", "StageName"},
	ListRequires: []string{"RestApiId"},
}

type stageType struct{ svc *backplane.Service }

func (t *stageType) meta() *typeMeta { return stageMeta }
func (t *stageType) newModel() any   { return &stageModel{} }

func (t *stageType) identifierOf(model any) []string {
	m := model.(*stageModel)
	if m.StageName == "" {
		return nil
	}
	return []string{m.RestApiId, m.StageName}
}

func (t *stageType) checkSchema(model any) error { return checkTags(model.(*stageModel).Tags) }

func (t *stageType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*stageModel)
	name := m.StageName
	if name == "" {
		// StageName is not schema-required; like CloudFormation's
		// generated physical names, make one up (U: exact AWS form).
		name = "stage-" + apigw.NewID()
	}
	ids := []string{m.RestApiId, name}
	in := backplane.CreateStageInput{
		StageName:            name,
		DeploymentID:         m.DeploymentId,
		Description:          m.Description,
		CacheClusterEnabled:  deref(m.CacheClusterEnabled),
		CacheClusterSize:     m.CacheClusterSize,
		Variables:            m.Variables,
		DocumentationVersion: m.DocumentationVersion,
		TracingEnabled:       deref(m.TracingEnabled),
		Tags:                 tagsToMap(m.Tags),
		// Product decision: a Cloud Control stage without DeploymentId is
		// attached to the API's latest deployment, or to none.
		AttachLatestDeployment: true,
		// Everything CreateStage has no member for goes through
		// UpdateStage's patch rules in the same transaction.
		Patch: stagePatch(&stageModel{}, &stageModel{
			ClientCertificateId: m.ClientCertificateId,
			AccessLogSetting:    m.AccessLogSetting,
			MethodSettings:      m.MethodSettings,
		}),
	}
	if c := m.CanarySetting; c != nil {
		in.CanarySettings = &apigw.CanarySettings{
			DeploymentID:           c.DeploymentId,
			PercentTraffic:         deref(c.PercentTraffic),
			StageVariableOverrides: c.StageVariableOverrides,
			UseStageCache:          deref(c.UseStageCache),
		}
	}
	_, err := t.svc.CreateStage(ctx, m.RestApiId, in)
	return ids, err
}

func (t *stageType) read(ctx context.Context, ids []string) (any, error) {
	st, err := t.svc.GetStage(ctx, ids[0], ids[1])
	if err != nil {
		return nil, err
	}
	return stageToModel(ids[0], st), nil
}

// stageToModel is the read handler's view of a stage.
func stageToModel(restAPIID string, st *apigw.Stage) *stageModel {
	m := &stageModel{
		RestApiId:            restAPIID,
		StageName:            st.StageName,
		DeploymentId:         st.DeploymentID,
		Description:          st.Description,
		CacheClusterEnabled:  ptrTo(st.CacheClusterEnabled),
		CacheClusterSize:     st.CacheClusterSize,
		ClientCertificateId:  st.ClientCertificateID,
		DocumentationVersion: st.DocumentationVersion,
		TracingEnabled:       ptrTo(st.TracingEnabled),
		Tags:                 tagsFromMap(st.Tags),
	}
	if len(st.Variables) > 0 {
		m.Variables = maps.Clone(st.Variables)
	}
	if a := st.AccessLogSettings; a != nil {
		m.AccessLogSetting = &accessLogModel{DestinationArn: a.DestinationArn, Format: a.Format}
	}
	if c := st.CanarySettings; c != nil {
		m.CanarySetting = &stageCanaryModel{
			DeploymentId:   c.DeploymentID,
			PercentTraffic: ptrTo(c.PercentTraffic),
			UseStageCache:  ptrTo(c.UseStageCache),
		}
		if len(c.StageVariableOverrides) > 0 {
			m.CanarySetting.StageVariableOverrides = maps.Clone(c.StageVariableOverrides)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(st.MethodSettings)) {
		ms := st.MethodSettings[key]
		rp, verb := methodSettingFromKey(key)
		e := methodSettingModel{
			ResourcePath:         rp,
			HttpMethod:           verb,
			CacheDataEncrypted:   ptrTo(ms.CacheDataEncrypted),
			CacheTtlInSeconds:    ptrTo(ms.CacheTTLInSeconds),
			CachingEnabled:       ptrTo(ms.CachingEnabled),
			DataTraceEnabled:     ptrTo(ms.DataTraceEnabled),
			LoggingLevel:         ms.LoggingLevel,
			MetricsEnabled:       ptrTo(ms.MetricsEnabled),
			ThrottlingBurstLimit: ptrTo(ms.ThrottlingBurstLimit),
			ThrottlingRateLimit:  ptrTo(ms.ThrottlingRateLimit),
		}
		m.MethodSettings = append(m.MethodSettings, e)
	}
	return m
}

// methodSettingFromKey turns a methodSettings key ("~1pets~1{id}/GET" or
// "pets/{id}/GET", "*/*", "~1/GET" or "/GET" for the root) into CloudFormation's ResourcePath (leading "/",
// inner slashes as "~1": "/~1pets~1{id}"; "/*" for the wildcard; "/" for
// the root) and HttpMethod.
func methodSettingFromKey(key string) (resourcePath, verb string) {
	if key == apigw.WildcardMethodKey {
		return "/*", "*"
	}
	p, verb := apigw.ParseMethodSettingKey(key)
	if p == "/" {
		return "/", verb
	}
	return "/" + escapeToken(p), verb
}

// methodSettingPatchPrefix turns CloudFormation's ResourcePath and
// HttpMethod into the UpdateStage patch path prefix: "/*" + "*" → "/*/*";
// "/~1pets~1{id}" or "/pets/{id}" + "GET" → "/~1pets~1{id}/GET"; "/" →
// "/~1/GET" (update-stage-patch.md §1).
func methodSettingPatchPrefix(resourcePath, verb string) string {
	if resourcePath == "/*" && verb == "*" {
		return "/*/*"
	}
	// The whole path, leading slash included, is one pointer token.
	return "/" + escapeToken(plainResourcePath(resourcePath)) + "/" + verb
}

// plainResourcePath decodes a CloudFormation ResourcePath, which may be
// written "~1"-encoded or plain, into the resource's path ("/pets/{id}").
func plainResourcePath(rp string) string {
	if rp == "/*" {
		return rp
	}
	p := strings.TrimPrefix(rp, "/")
	p = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	p = strings.TrimPrefix(p, "/")
	return "/" + p
}

// methodSettingID identifies a MethodSettings entry whatever the encoding
// of its ResourcePath.
func methodSettingID(ms *methodSettingModel) string {
	return plainResourcePath(ms.ResourcePath) + " " + ms.HttpMethod
}

func (t *stageType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*stageModel), next.(*stageModel)
	// The patch and the desired tag set go in one transaction: an update
	// whose tags are invalid must change nothing.
	_, err := t.svc.UpdateStageAndTags(ctx, ids[0], ids[1], stagePatch(p, n), tagsToMap(n.Tags))
	return err
}

// stagePatch translates the difference between two stage models into
// UpdateStage patch operations (cloudcontrol.md §3.1). Tags are not part of
// it (UpdateStageAndTags replaces the whole set in the same transaction).
func stagePatch(p, n *stageModel) []apigw.PatchOperation {
	var ops []apigw.PatchOperation
	replace := func(path, value string) {
		ops = append(ops, apigw.PatchOperation{Op: apigw.OpReplace, Path: path, Value: value})
	}
	remove := func(path string) {
		ops = append(ops, apigw.PatchOperation{Op: apigw.OpRemove, Path: path})
	}
	// A stage cannot be detached from its deployment: an absent
	// DeploymentId keeps the current one (it was attached automatically).
	if n.DeploymentId != "" && n.DeploymentId != p.DeploymentId {
		replace("/deploymentId", n.DeploymentId)
	}
	if n.Description != p.Description {
		replace("/description", n.Description)
	}
	if deref(n.CacheClusterEnabled) != deref(p.CacheClusterEnabled) {
		replace("/cacheClusterEnabled", strconv.FormatBool(deref(n.CacheClusterEnabled)))
	}
	// An absent size keeps the current one; there is no "no size".
	if n.CacheClusterSize != "" && n.CacheClusterSize != p.CacheClusterSize {
		replace("/cacheClusterSize", n.CacheClusterSize)
	}
	if n.ClientCertificateId != p.ClientCertificateId {
		if n.ClientCertificateId == "" {
			remove("/clientCertificateId")
		} else {
			replace("/clientCertificateId", n.ClientCertificateId)
		}
	}
	// UpdateStage's documented path list has no /documentationVersion;
	// the patch engine decides whether to accept it (one validation path).
	if n.DocumentationVersion != p.DocumentationVersion {
		replace("/documentationVersion", n.DocumentationVersion)
	}
	if deref(n.TracingEnabled) != deref(p.TracingEnabled) {
		replace("/tracingEnabled", strconv.FormatBool(deref(n.TracingEnabled)))
	}
	mapPatch("/variables/", p.Variables, n.Variables, replace, remove)

	switch pa, na := p.AccessLogSetting, n.AccessLogSetting; {
	case na == nil && pa != nil:
		remove("/accessLogSettings")
	case na != nil:
		if pa == nil {
			pa = &accessLogModel{}
		}
		if na.DestinationArn != pa.DestinationArn {
			replace("/accessLogSettings/destinationArn", na.DestinationArn)
		}
		if na.Format != pa.Format {
			replace("/accessLogSettings/format", na.Format)
		}
	}

	switch pc, nc := p.CanarySetting, n.CanarySetting; {
	case nc == nil && pc != nil:
		remove("/canarySettings")
	case nc != nil:
		// The first canary operation creates the canary (with the stage's
		// deployment and 0%), so a new canary always starts with its
		// percentage.
		fresh := pc == nil
		if fresh {
			pc = &stageCanaryModel{}
		}
		if nv, pv := fmtFloatPtr(nc.PercentTraffic), fmtFloatPtr(pc.PercentTraffic); fresh || nv != pv {
			replace("/canarySettings/percentTraffic", formatFloat(deref(nc.PercentTraffic)))
		}
		if nc.DeploymentId != "" && nc.DeploymentId != pc.DeploymentId {
			replace("/canarySettings/deploymentId", nc.DeploymentId)
		}
		if deref(nc.UseStageCache) != deref(pc.UseStageCache) {
			replace("/canarySettings/useStageCache", strconv.FormatBool(deref(nc.UseStageCache)))
		}
		mapPatch("/canarySettings/stageVariableOverrides/", pc.StageVariableOverrides, nc.StageVariableOverrides, replace, remove)
	}

	ops = append(ops, methodSettingsPatch(p.MethodSettings, n.MethodSettings)...)
	return ops
}

// mapPatch emits replace/remove operations for a string map under prefix.
func mapPatch(prefix string, p, n map[string]string, replace func(string, string), remove func(string)) {
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if _, ok := n[k]; !ok {
			remove(prefix + escapeToken(k))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(n)) {
		if old, ok := p[k]; !ok || old != n[k] {
			replace(prefix+escapeToken(k), n[k])
		}
	}
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// methodSettingsPatch diffs two MethodSettings lists. Entries are matched
// by ResourcePath and HttpMethod. A removed entry is removed whole; a new
// one gets a replace per field it sets; a changed one gets a replace per
// changed field — unless a field was dropped, in which case the entry is
// removed and rebuilt so the dropped field returns to its default.
func methodSettingsPatch(prev, next []methodSettingModel) []apigw.PatchOperation {
	var ops []apigw.PatchOperation
	old := map[string]*methodSettingModel{}
	for i := range prev {
		old[methodSettingID(&prev[i])] = &prev[i]
	}
	seen := map[string]bool{}
	for i := range next {
		seen[methodSettingID(&next[i])] = true
	}
	for i := range prev {
		if !seen[methodSettingID(&prev[i])] {
			ops = append(ops, apigw.PatchOperation{Op: apigw.OpRemove,
				Path: methodSettingPatchPrefix(prev[i].ResourcePath, prev[i].HttpMethod)})
		}
	}
	for i := range next {
		n := &next[i]
		prefix := methodSettingPatchPrefix(n.ResourcePath, n.HttpMethod)
		base := old[methodSettingID(n)]
		if base != nil && droppedField(base, n) {
			ops = append(ops, apigw.PatchOperation{Op: apigw.OpRemove, Path: prefix})
			base = nil
		}
		if base == nil {
			base = &methodSettingModel{}
		}
		for _, f := range methodSettingFields {
			nv, pv := f.get(n), f.get(base)
			if nv != "" && nv != pv {
				ops = append(ops, apigw.PatchOperation{Op: apigw.OpReplace, Path: prefix + f.path, Value: nv})
			}
		}
	}
	return ops
}

// methodSettingFields maps each MethodSetting property to its patch path
// suffix; get renders the value as a patch string ("" when absent).
var methodSettingFields = []struct {
	path string
	get  func(*methodSettingModel) string
}{
	{"/metrics/enabled", func(m *methodSettingModel) string { return fmtBool(m.MetricsEnabled) }},
	{"/logging/loglevel", func(m *methodSettingModel) string { return m.LoggingLevel }},
	{"/logging/dataTrace", func(m *methodSettingModel) string { return fmtBool(m.DataTraceEnabled) }},
	{"/throttling/burstLimit", func(m *methodSettingModel) string { return fmtInt(m.ThrottlingBurstLimit) }},
	{"/throttling/rateLimit", func(m *methodSettingModel) string { return fmtFloatPtr(m.ThrottlingRateLimit) }},
	{"/caching/enabled", func(m *methodSettingModel) string { return fmtBool(m.CachingEnabled) }},
	{"/caching/ttlInSeconds", func(m *methodSettingModel) string { return fmtInt(m.CacheTtlInSeconds) }},
	{"/caching/dataEncrypted", func(m *methodSettingModel) string { return fmtBool(m.CacheDataEncrypted) }},
}

// droppedField reports whether n leaves out a field p set.
func droppedField(p, n *methodSettingModel) bool {
	pv, nv := reflect.ValueOf(p).Elem(), reflect.ValueOf(n).Elem()
	for i := range pv.NumField() {
		f := pv.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() && nv.Field(i).IsNil() {
			return true
		}
	}
	return p.LoggingLevel != "" && n.LoggingLevel == ""
}

func fmtBool(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func fmtInt(i *int) string {
	if i == nil {
		return ""
	}
	return strconv.Itoa(*i)
}

func fmtFloatPtr(f *float64) string {
	if f == nil {
		return ""
	}
	return formatFloat(*f)
}

func (t *stageType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteStage(ctx, ids[0], ids[1])
}

func (t *stageType) list(ctx context.Context, model map[string]any) ([]listed, error) {
	apiID := model["RestApiId"].(string)
	stages, err := t.svc.GetStages(ctx, apiID, "")
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(stages))
	for _, st := range stages {
		out = append(out, listed{IDs: []string{apiID, st.StageName}, Model: stageToModel(apiID, st)})
	}
	return out, nil
}

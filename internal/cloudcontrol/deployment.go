package cloudcontrol

import (
	"context"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// deploymentModel is AWS::ApiGateway::Deployment's property document. A
// deployment snapshots the API; with StageName it also creates or
// repoints that stage, configured by StageDescription.
type deploymentModel struct {
	DeploymentId             string                 `json:"DeploymentId,omitempty"`
	RestApiId                string                 `json:"RestApiId,omitempty"`
	Description              string                 `json:"Description,omitempty"`
	StageName                string                 `json:"StageName,omitempty"`
	StageDescription         *stageDescriptionModel `json:"StageDescription,omitempty"`
	DeploymentCanarySettings *deploymentCanaryModel `json:"DeploymentCanarySettings,omitempty"`
}

type deploymentCanaryModel struct {
	PercentTraffic         *float64          `json:"PercentTraffic,omitempty"`
	StageVariableOverrides map[string]string `json:"StageVariableOverrides,omitempty"`
	UseStageCache          *bool             `json:"UseStageCache,omitempty"`
}

// stageDescriptionModel configures the stage a deployment makes. Its
// top-level caching, logging, metrics and throttling members are the
// stage-wide "*/*" method setting (U: CloudFormation documentation
// semantics).
type stageDescriptionModel struct {
	AccessLogSetting     *accessLogModel        `json:"AccessLogSetting,omitempty"`
	CacheClusterEnabled  *bool                  `json:"CacheClusterEnabled,omitempty"`
	CacheClusterSize     string                 `json:"CacheClusterSize,omitempty"`
	CacheDataEncrypted   *bool                  `json:"CacheDataEncrypted,omitempty"`
	CacheTtlInSeconds    *int                   `json:"CacheTtlInSeconds,omitempty"`
	CachingEnabled       *bool                  `json:"CachingEnabled,omitempty"`
	CanarySetting        *deploymentCanaryModel `json:"CanarySetting,omitempty"`
	ClientCertificateId  string                 `json:"ClientCertificateId,omitempty"`
	DataTraceEnabled     *bool                  `json:"DataTraceEnabled,omitempty"`
	Description          string                 `json:"Description,omitempty"`
	DocumentationVersion string                 `json:"DocumentationVersion,omitempty"`
	LoggingLevel         string                 `json:"LoggingLevel,omitempty"`
	MethodSettings       []methodSettingModel   `json:"MethodSettings,omitempty"`
	MetricsEnabled       *bool                  `json:"MetricsEnabled,omitempty"`
	Tags                 []tagModel             `json:"Tags,omitempty"`
	ThrottlingBurstLimit *int                   `json:"ThrottlingBurstLimit,omitempty"`
	ThrottlingRateLimit  *float64               `json:"ThrottlingRateLimit,omitempty"`
	TracingEnabled       *bool                  `json:"TracingEnabled,omitempty"`
	Variables            map[string]string      `json:"Variables,omitempty"`
}

var deploymentMeta = &typeMeta{
	TypeName:     "AWS::ApiGateway::Deployment",
	Primary:      []string{"DeploymentId", "RestApiId"},
	Required:     []string{"RestApiId"},
	CreateOnly:   []string{"RestApiId", "DeploymentCanarySettings"},
	ReadOnly:     []string{"DeploymentId"},
	WriteOnly:    []string{"StageName", "StageDescription", "DeploymentCanarySettings"},
	ListRequires: []string{"RestApiId"},
}

type deploymentType struct{ svc *backplane.Service }

func (t *deploymentType) meta() *typeMeta           { return deploymentMeta }
func (t *deploymentType) newModel() any             { return &deploymentModel{} }
func (t *deploymentType) identifierOf(any) []string { return nil }

// stageFromDescription is the stage model a StageDescription describes.
func stageFromDescription(name string, sd *stageDescriptionModel) *stageModel {
	if sd == nil {
		sd = &stageDescriptionModel{}
	}
	st := &stageModel{
		StageName:            name,
		Description:          sd.Description,
		CacheClusterEnabled:  sd.CacheClusterEnabled,
		CacheClusterSize:     sd.CacheClusterSize,
		ClientCertificateId:  sd.ClientCertificateId,
		DocumentationVersion: sd.DocumentationVersion,
		TracingEnabled:       sd.TracingEnabled,
		Variables:            sd.Variables,
		AccessLogSetting:     sd.AccessLogSetting,
		Tags:                 sd.Tags,
	}
	if c := sd.CanarySetting; c != nil {
		st.CanarySetting = &stageCanaryModel{PercentTraffic: c.PercentTraffic, StageVariableOverrides: c.StageVariableOverrides, UseStageCache: c.UseStageCache}
	}
	all := methodSettingModel{
		ResourcePath: "/*", HttpMethod: "*",
		CacheDataEncrypted: sd.CacheDataEncrypted, CacheTtlInSeconds: sd.CacheTtlInSeconds, CachingEnabled: sd.CachingEnabled,
		DataTraceEnabled: sd.DataTraceEnabled, LoggingLevel: sd.LoggingLevel, MetricsEnabled: sd.MetricsEnabled,
		ThrottlingBurstLimit: sd.ThrottlingBurstLimit, ThrottlingRateLimit: sd.ThrottlingRateLimit,
	}
	if all != (methodSettingModel{ResourcePath: "/*", HttpMethod: "*"}) {
		st.MethodSettings = append(st.MethodSettings, all)
	}
	st.MethodSettings = append(st.MethodSettings, sd.MethodSettings...)
	return st
}

func (t *deploymentType) checkSchema(model any) error {
	if sd := model.(*deploymentModel).StageDescription; sd != nil {
		return checkTags(sd.Tags)
	}
	return nil
}

func (t *deploymentType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*deploymentModel)
	in := backplane.CreateDeploymentInput{Description: m.Description, StageName: m.StageName}
	if c := m.DeploymentCanarySettings; c != nil {
		in.CanarySettings = &backplane.DeploymentCanarySettings{
			PercentTraffic: deref(c.PercentTraffic), StageVariableOverrides: c.StageVariableOverrides, UseStageCache: deref(c.UseStageCache),
		}
	}
	var st *stageModel
	if m.StageName != "" {
		st = stageFromDescription(m.StageName, m.StageDescription)
		in.StageDescription = st.Description
		in.CacheClusterEnabled = st.CacheClusterEnabled
		in.CacheClusterSize = st.CacheClusterSize
		in.Variables = st.Variables
		in.TracingEnabled = st.TracingEnabled
		in.StagePatch = stagePatch(&stageModel{}, &stageModel{
			ClientCertificateId:  st.ClientCertificateId,
			DocumentationVersion: st.DocumentationVersion,
			AccessLogSetting:     st.AccessLogSetting,
			CanarySetting:        st.CanarySetting,
			MethodSettings:       st.MethodSettings,
		})
	}
	d, err := t.svc.CreateDeployment(ctx, m.RestApiId, in)
	if err != nil {
		return nil, err
	}
	ids := []string{d.ID, m.RestApiId}
	if st != nil && len(st.Tags) > 0 {
		if err := t.svc.TagResource(ctx, apigw.StageARN(t.svc.Region, m.RestApiId, m.StageName), tagsToMap(st.Tags)); err != nil {
			return ids, err
		}
	}
	return ids, nil
}

func (t *deploymentType) read(ctx context.Context, ids []string) (any, error) {
	d, err := t.svc.GetDeployment(ctx, ids[1], ids[0])
	if err != nil {
		return nil, err
	}
	return &deploymentModel{DeploymentId: d.ID, RestApiId: ids[1], Description: d.Description}, nil
}

// update changes the description and, when the patch names a stage (the
// write-only StageName/StageDescription), points that stage at this
// deployment with the described settings, creating it if needed.
func (t *deploymentType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*deploymentModel), next.(*deploymentModel)
	depID, apiID := ids[0], ids[1]
	if n.Description != p.Description {
		if _, err := t.svc.UpdateDeployment(ctx, apiID, depID, []apigw.PatchOperation{{Op: apigw.OpReplace, Path: "/description", Value: n.Description}}); err != nil {
			return err
		}
	}
	if n.StageName == "" {
		return nil
	}
	want := stageFromDescription(n.StageName, n.StageDescription)
	want.RestApiId, want.DeploymentId = apiID, depID
	stages := &stageType{svc: t.svc}
	cur, err := t.svc.GetStage(ctx, apiID, n.StageName)
	if apigw.KindOf(err) == apigw.KindNotFound {
		_, err = stages.create(ctx, want)
		return err
	}
	if err != nil {
		return err
	}
	return stages.update(ctx, []string{apiID, n.StageName}, stageToModel(apiID, cur), want)
}

func (t *deploymentType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteDeployment(ctx, ids[1], ids[0])
}

func (t *deploymentType) list(ctx context.Context, model map[string]any) ([]listed, error) {
	apiID := model["RestApiId"].(string)
	ds, err := t.svc.GetDeployments(ctx, apiID)
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(ds))
	for _, d := range ds {
		out = append(out, listed{IDs: []string{d.ID, apiID}, Model: &deploymentModel{DeploymentId: d.ID, RestApiId: apiID, Description: d.Description}})
	}
	return out, nil
}

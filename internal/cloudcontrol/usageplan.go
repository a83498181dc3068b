package cloudcontrol

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// usagePlanModel is AWS::ApiGateway::UsagePlan's property document (Id
// primary and read-only; every other property updatable in place).
type usagePlanModel struct {
	Id            string          `json:"Id,omitempty"`
	ApiStages     []apiStageModel `json:"ApiStages,omitempty"`
	Description   string          `json:"Description,omitempty"`
	Quota         *quotaModel     `json:"Quota,omitempty"`
	Tags          []tagModel      `json:"Tags,omitempty"`
	Throttle      *throttleModel  `json:"Throttle,omitempty"`
	UsagePlanName string          `json:"UsagePlanName,omitempty"`
}

type apiStageModel struct {
	ApiId    string                   `json:"ApiId,omitempty"`
	Stage    string                   `json:"Stage,omitempty"`
	Throttle map[string]throttleModel `json:"Throttle,omitempty"`
}

type quotaModel struct {
	Limit  int64  `json:"Limit"`
	Offset int64  `json:"Offset"`
	Period string `json:"Period,omitempty"`
}

type throttleModel struct {
	BurstLimit int     `json:"BurstLimit"`
	RateLimit  float64 `json:"RateLimit"`
}

var usagePlanMeta = &typeMeta{
	TypeName: "AWS::ApiGateway::UsagePlan",
	Primary:  []string{"Id"},
	ReadOnly: []string{"Id"},
}

type usagePlanType struct{ svc *backplane.Service }

func (t *usagePlanType) meta() *typeMeta           { return usagePlanMeta }
func (t *usagePlanType) newModel() any             { return &usagePlanModel{} }
func (t *usagePlanType) identifierOf(any) []string { return nil }
func (t *usagePlanType) checkSchema(model any) error {
	m := model.(*usagePlanModel)
	if q := m.Quota; q != nil && q.Period != "" && !slices.Contains([]string{"DAY", "WEEK", "MONTH"}, q.Period) {
		return errModel("#/Quota/Period: %s is not a valid enum value", q.Period)
	}
	return checkTags(m.Tags)
}

func throttleOf(m *throttleModel) *apigw.ThrottleSettings {
	if m == nil {
		return nil
	}
	return &apigw.ThrottleSettings{BurstLimit: m.BurstLimit, RateLimit: m.RateLimit}
}

func (t *usagePlanType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*usagePlanModel)
	in := backplane.CreateUsagePlanInput{Name: m.UsagePlanName, Description: m.Description,
		Throttle: throttleOf(m.Throttle), Tags: tagsToMap(m.Tags)}
	if in.Name == "" {
		// CloudFormation names an unnamed plan after the resource; Cloud
		// Control has no logical id, so the plan gets a generated one (U).
		in.Name = "UsagePlan-" + apigw.NewID()
	}
	if q := m.Quota; q != nil {
		in.Quota = &apigw.QuotaSettings{Limit: q.Limit, Offset: q.Offset, Period: q.Period}
	}
	for _, s := range m.ApiStages {
		st := apigw.APIStage{APIID: s.ApiId, Stage: s.Stage}
		for k, v := range s.Throttle {
			if st.Throttle == nil {
				st.Throttle = map[string]apigw.ThrottleSettings{}
			}
			st.Throttle[k] = *throttleOf(&v)
		}
		in.APIStages = append(in.APIStages, st)
	}
	p, err := t.svc.CreateUsagePlan(ctx, in)
	if err != nil {
		return nil, err
	}
	return []string{p.ID}, nil
}

func usagePlanToModel(p *apigw.UsagePlan) *usagePlanModel {
	m := &usagePlanModel{Id: p.ID, Description: p.Description, UsagePlanName: p.Name, Tags: tagsFromMap(p.Tags)}
	if p.Throttle != nil {
		m.Throttle = &throttleModel{BurstLimit: p.Throttle.BurstLimit, RateLimit: p.Throttle.RateLimit}
	}
	if p.Quota != nil {
		m.Quota = &quotaModel{Limit: p.Quota.Limit, Offset: p.Quota.Offset, Period: p.Quota.Period}
	}
	for _, s := range p.APIStages {
		sm := apiStageModel{ApiId: s.APIID, Stage: s.Stage}
		for k, v := range s.Throttle {
			if sm.Throttle == nil {
				sm.Throttle = map[string]throttleModel{}
			}
			sm.Throttle[k] = throttleModel{BurstLimit: v.BurstLimit, RateLimit: v.RateLimit}
		}
		m.ApiStages = append(m.ApiStages, sm)
	}
	return m
}

func (t *usagePlanType) read(ctx context.Context, ids []string) (any, error) {
	p, err := t.svc.GetUsagePlan(ctx, ids[0])
	if err != nil {
		return nil, err
	}
	return usagePlanToModel(p), nil
}

// update turns the difference between the two documents into
// UpdateUsagePlan operations and applies them with the tag set in one
// transaction.
func (t *usagePlanType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*usagePlanModel), next.(*usagePlanModel)
	ops := usagePlanDiff(p, n)
	tags := tagsToMap(n.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	if len(ops) == 0 && maps.Equal(tags, tagsToMap(p.Tags)) {
		return nil
	}
	_, err := t.svc.UpdateUsagePlanAndTags(ctx, ids[0], ops, tags)
	return err
}

func usagePlanDiff(p, n *usagePlanModel) []apigw.PatchOperation {
	var ops []apigw.PatchOperation
	add := func(op, path, value string) {
		ops = append(ops, apigw.PatchOperation{Op: op, Path: path, Value: value})
	}
	if n.UsagePlanName != p.UsagePlanName && n.UsagePlanName != "" {
		add(apigw.OpReplace, "/name", n.UsagePlanName)
	}
	if n.Description != p.Description {
		add(apigw.OpReplace, "/description", n.Description)
	}
	switch {
	case n.Throttle == nil && p.Throttle != nil:
		add(apigw.OpRemove, "/throttle", "")
	case n.Throttle != nil && (p.Throttle == nil || *n.Throttle != *p.Throttle):
		add(apigw.OpReplace, "/throttle/burstLimit", strconv.Itoa(n.Throttle.BurstLimit))
		add(apigw.OpReplace, "/throttle/rateLimit", strconv.FormatFloat(n.Throttle.RateLimit, 'g', -1, 64))
	}
	switch {
	case n.Quota == nil && p.Quota != nil:
		add(apigw.OpRemove, "/quota", "")
	case n.Quota != nil && (p.Quota == nil || *n.Quota != *p.Quota):
		add(apigw.OpReplace, "/quota/limit", strconv.FormatInt(n.Quota.Limit, 10))
		add(apigw.OpReplace, "/quota/offset", strconv.FormatInt(n.Quota.Offset, 10))
		add(apigw.OpReplace, "/quota/period", n.Quota.Period)
	}
	ref := func(s apiStageModel) string { return s.ApiId + ":" + s.Stage }
	before := map[string]apiStageModel{}
	for _, s := range p.ApiStages {
		before[ref(s)] = s
	}
	after := map[string]bool{}
	for _, s := range n.ApiStages {
		after[ref(s)] = true
	}
	for _, s := range p.ApiStages {
		if !after[ref(s)] {
			add(apigw.OpRemove, "/apiStages", ref(s))
		}
	}
	for _, s := range n.ApiStages {
		old, had := before[ref(s)]
		if !had {
			add(apigw.OpAdd, "/apiStages", ref(s))
		}
		prefix := "/apiStages/" + ref(s) + "/throttle/"
		for _, k := range slices.Sorted(maps.Keys(old.Throttle)) {
			if _, ok := s.Throttle[k]; !ok {
				add(apigw.OpRemove, prefix+escapeKey(k), "")
			}
		}
		for _, k := range slices.Sorted(maps.Keys(s.Throttle)) {
			v := s.Throttle[k]
			if o, ok := old.Throttle[k]; ok && o == v {
				continue
			}
			add(apigw.OpReplace, prefix+escapeKey(k)+"/burstLimit", strconv.Itoa(v.BurstLimit))
			add(apigw.OpReplace, prefix+escapeKey(k)+"/rateLimit", strconv.FormatFloat(v.RateLimit, 'g', -1, 64))
		}
	}
	return ops
}

// escapeKey writes a method throttle key ("/pets/GET") as a patch path
// segment: JSON pointer escaping, "/" as "~1".
func escapeKey(k string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}

// delete unbinds the plan's stages first: CloudFormation deletes a plan
// with its stages, while DeleteUsagePlan refuses a plan that has any.
func (t *usagePlanType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteUsagePlanAndStages(ctx, ids[0])
}

func (t *usagePlanType) list(ctx context.Context, _ map[string]any) ([]listed, error) {
	plans, err := t.svc.GetUsagePlans(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(plans))
	for _, p := range plans {
		out = append(out, listed{IDs: []string{p.ID}, Model: usagePlanToModel(p)})
	}
	return out, nil
}

// usagePlanKeyModel is AWS::ApiGateway::UsagePlanKey's property document:
// every property required and create-only; Id ("keyId:usagePlanId", what
// CloudFormation's Ref returns) primary and read-only.
type usagePlanKeyModel struct {
	Id          string `json:"Id,omitempty"`
	KeyId       string `json:"KeyId,omitempty"`
	KeyType     string `json:"KeyType,omitempty"`
	UsagePlanId string `json:"UsagePlanId,omitempty"`
}

var usagePlanKeyMeta = &typeMeta{
	TypeName:   "AWS::ApiGateway::UsagePlanKey",
	Primary:    []string{"Id"},
	Required:   []string{"KeyId", "KeyType", "UsagePlanId"},
	CreateOnly: []string{"KeyId", "KeyType", "UsagePlanId"},
	ReadOnly:   []string{"Id"},
}

type usagePlanKeyType struct{ svc *backplane.Service }

func (t *usagePlanKeyType) meta() *typeMeta           { return usagePlanKeyMeta }
func (t *usagePlanKeyType) newModel() any             { return &usagePlanKeyModel{} }
func (t *usagePlanKeyType) identifierOf(any) []string { return nil }
func (t *usagePlanKeyType) checkSchema(model any) error {
	if kt := model.(*usagePlanKeyModel).KeyType; kt != apigw.KeyTypeAPIKey {
		return errModel("#/KeyType: %s is not a valid enum value", kt)
	}
	return nil
}

func (t *usagePlanKeyType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*usagePlanKeyModel)
	if _, err := t.svc.CreateUsagePlanKey(ctx, m.UsagePlanId, m.KeyId, m.KeyType); err != nil {
		return nil, err
	}
	return []string{m.KeyId + ":" + m.UsagePlanId}, nil
}

// splitPlanKeyID reads "keyId:usagePlanId".
func splitPlanKeyID(id string) (keyID, planID string, err error) {
	keyID, planID, ok := strings.Cut(id, ":")
	if !ok || keyID == "" || planID == "" {
		return "", "", errInvalidRequest("Invalid identifier '%s' for resource type AWS::ApiGateway::UsagePlanKey: expected KeyId:UsagePlanId", id)
	}
	return keyID, planID, nil
}

func (t *usagePlanKeyType) read(ctx context.Context, ids []string) (any, error) {
	keyID, planID, err := splitPlanKeyID(ids[0])
	if err != nil {
		return nil, err
	}
	k, err := t.svc.GetUsagePlanKey(ctx, planID, keyID)
	if err != nil {
		return nil, err
	}
	return &usagePlanKeyModel{Id: ids[0], KeyId: k.ID, KeyType: k.Type, UsagePlanId: planID}, nil
}

// update has nothing to do: every property is create-only, so Cloud
// Control refuses changes before a handler runs.
func (t *usagePlanKeyType) update(context.Context, []string, any, any) error { return nil }

func (t *usagePlanKeyType) delete(ctx context.Context, ids []string) error {
	keyID, planID, err := splitPlanKeyID(ids[0])
	if err != nil {
		return err
	}
	return t.svc.DeleteUsagePlanKey(ctx, planID, keyID)
}

func (t *usagePlanKeyType) list(ctx context.Context, _ map[string]any) ([]listed, error) {
	plans, err := t.svc.GetUsagePlans(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []listed
	for _, p := range plans {
		keys, err := t.svc.GetUsagePlanKeys(ctx, p.ID, "")
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			id := k.ID + ":" + p.ID
			out = append(out, listed{IDs: []string{id}, Model: &usagePlanKeyModel{Id: id, KeyId: k.ID, KeyType: k.Type, UsagePlanId: p.ID}})
		}
	}
	return out, nil
}

package apigw

import (
	"slices"
	"strings"
	"time"
)

// UsagePlan is a usage plan (GET /usageplans/{id}): the API stages its keys
// may call, and the per-key throttle and quota that apply there.
type UsagePlan struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	APIStages   []APIStage        `json:"apiStages"`
	Throttle    *ThrottleSettings `json:"throttle,omitempty"`
	Quota       *QuotaSettings    `json:"quota,omitempty"`
	ProductCode string            `json:"productCode,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`

	// QuotaAnchor is when the plan's quota was set (created, or its
	// settings changed): the quota's "initial time period", the one
	// QuotaSettings.Offset applies to, is the period containing it. It is
	// not part of the wire shape; stores keep it beside the document.
	QuotaAnchor Time `json:"-"`
}

// APIStage binds a plan to one stage of one API. Throttle holds per-method
// overrides keyed "/{resourcePath}/{HTTP method}", e.g. "/pets/GET".
type APIStage struct {
	APIID    string                      `json:"apiId"`
	Stage    string                      `json:"stage"`
	Throttle map[string]ThrottleSettings `json:"throttle,omitempty"`
}

// Ref returns the "apiId:stage" form patch values and messages use.
func (s APIStage) Ref() string { return s.APIID + ":" + s.Stage }

// QuotaSettings is a plan's request quota per key and period.
type QuotaSettings struct {
	Limit  int64  `json:"limit"`
	Offset int64  `json:"offset"`
	Period string `json:"period"`
}

// Quota periods.
const (
	PeriodDay   = "DAY"
	PeriodWeek  = "WEEK"
	PeriodMonth = "MONTH"
)

// UsagePlanKey is the association of a key with a plan as GetUsagePlanKey
// returns it: the key's id, value and name. Type is always API_KEY.
type UsagePlanKey struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Value string `json:"value,omitempty"`
	Name  string `json:"name,omitempty"`
}

// KeyTypeAPIKey is the only usage plan key type.
const KeyTypeAPIKey = "API_KEY"

// Messages of the usage plan operations. Those marked (R) are recorded AWS
// answers (spec access-control.md §2 and the issues cited there); the
// others are U and written in AWS's style.
const (
	// MsgInvalidUsagePlan is the 404 for an unknown plan id (R, moto).
	MsgInvalidUsagePlan = "Invalid Usage Plan ID specified"
	// MsgInvalidAPIStage answers a remove of a stage the plan lacks (R,
	// boto3#2629).
	MsgInvalidAPIStage = "Invalid API Stage specified"
	// msgStageNotFound answers an add of a stage that does not exist (R,
	// boto3#825: NotFoundException).
	msgStageNotFound = "API Stage not found: %s"
	// msgInvalidPlanStage answers a CreateUsagePlan naming a stage that
	// does not exist (R, aws-cdk#6169: BadRequestException).
	msgInvalidPlanStage = "Invalid API Stage {api: %s, stage: %s} specified for usageplan %s"
	// msgPlanHasStages refuses to delete a plan still bound to stages (R,
	// aws-sdk-js#3841).
	msgPlanHasStages = "Cannot delete Usage Plan %s because there are API Stages associated with it, including %s"
	// MsgSharedStage refuses a key in two plans that share a stage: the
	// data plane must find exactly one plan for a key on a stage (U).
	MsgSharedStage = "Usage Plan %s cannot be added because API Key %s cannot reference multiple Usage Plans with the same API Stage: %s"

	msgPlanNameRequired = "Usage Plan name must be specified"
	msgInvalidPeriod    = "Invalid quota period specified. Must be one of: [DAY, WEEK, MONTH]"
	msgInvalidLimit     = "Quota limit must be greater than or equal to 0"
	msgInvalidOffset    = "Quota offset must be greater than or equal to 0 and not greater than the limit"
	msgInvalidRate      = "Throttle rate limit must be greater than or equal to 0"
	msgInvalidBurst     = "Throttle burst limit must be greater than or equal to 0"
	msgInvalidKeyType   = "Invalid key type specified. Must be one of: [API_KEY]"
	msgThrottleKey      = "Invalid method throttle key '%s': it must look like /{resourcePath}/{httpMethod}"
)

// ErrStageNotFound is UpdateUsagePlan's answer for an API stage that does
// not exist.
func ErrStageNotFound(ref string) error { return NotFound(msgStageNotFound, ref) }

// ErrInvalidPlanStage is CreateUsagePlan's answer for an API stage that
// does not exist.
func ErrInvalidPlanStage(apiID, stage, planID string) error {
	return BadRequest(msgInvalidPlanStage, apiID, stage, planID)
}

// ErrPlanHasStages refuses DeleteUsagePlan while stages are bound.
func ErrPlanHasStages(p *UsagePlan) error {
	return BadRequest(msgPlanHasStages, p.ID, p.APIStages[0].Ref())
}

// ValidateKeyType checks CreateUsagePlanKey's keyType.
func ValidateKeyType(t string) error {
	if t != KeyTypeAPIKey {
		return BadRequest(msgInvalidKeyType)
	}
	return nil
}

// ValidateUsagePlan checks a plan's own fields (not whether its stages
// exist: that needs the store, see the backplane).
func ValidateUsagePlan(p *UsagePlan) error {
	if strings.TrimSpace(p.Name) == "" {
		return BadRequest(msgPlanNameRequired)
	}
	if p.Throttle != nil {
		if err := validateThrottle(*p.Throttle); err != nil {
			return err
		}
	}
	if q := p.Quota; q != nil {
		if !slices.Contains([]string{PeriodDay, PeriodWeek, PeriodMonth}, q.Period) {
			return BadRequest(msgInvalidPeriod)
		}
		if q.Limit < 0 {
			return BadRequest(msgInvalidLimit)
		}
		if q.Offset < 0 || q.Offset > q.Limit {
			return BadRequest(msgInvalidOffset)
		}
	}
	for _, s := range p.APIStages {
		for k, ts := range s.Throttle {
			if _, _, ok := SplitMethodThrottleKey(k); !ok {
				return BadRequest(msgThrottleKey, k)
			}
			if err := validateThrottle(ts); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateThrottle(ts ThrottleSettings) error {
	if ts.RateLimit < 0 {
		return BadRequest(msgInvalidRate)
	}
	if ts.BurstLimit < 0 {
		return BadRequest(msgInvalidBurst)
	}
	return nil
}

// httpVerbs are the verbs a method throttle key may end in.
var httpVerbs = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", "*"}

// SplitMethodThrottleKey splits "/pets/{id}/GET" into the resource path
// "/pets/{id}" and the verb "GET". The root resource's key is "//GET".
func SplitMethodThrottleKey(k string) (resourcePath, verb string, ok bool) {
	i := strings.LastIndexByte(k, '/')
	if i < 1 || !strings.HasPrefix(k, "/") {
		return "", "", false
	}
	resourcePath, verb = k[:i], k[i+1:]
	if !slices.Contains(httpVerbs, verb) {
		return "", "", false
	}
	return resourcePath, verb, true
}

// MethodThrottleKey is the key of a method in APIStage.Throttle.
func MethodThrottleKey(resourcePath, verb string) string {
	if resourcePath == "/" {
		return "//" + verb
	}
	return resourcePath + "/" + verb
}

// StageIndex returns the index of the plan's binding to apiID:stage, or -1.
func (p *UsagePlan) StageIndex(apiID, stage string) int {
	return slices.IndexFunc(p.APIStages, func(s APIStage) bool { return s.APIID == apiID && s.Stage == stage })
}

// CloneUsagePlan returns a deep copy, for patching.
func CloneUsagePlan(p *UsagePlan) *UsagePlan {
	c := *p
	c.APIStages = make([]APIStage, len(p.APIStages))
	for i, s := range p.APIStages {
		c.APIStages[i] = s
		if s.Throttle != nil {
			c.APIStages[i].Throttle = make(map[string]ThrottleSettings, len(s.Throttle))
			for k, v := range s.Throttle {
				c.APIStages[i].Throttle[k] = v
			}
		}
	}
	if p.Throttle != nil {
		t := *p.Throttle
		c.Throttle = &t
	}
	if p.Quota != nil {
		q := *p.Quota
		c.Quota = &q
	}
	if p.Tags != nil {
		c.Tags = make(map[string]string, len(p.Tags))
		for k, v := range p.Tags {
			c.Tags[k] = v
		}
	}
	return &c
}

// QuotaWindow returns the quota period [start, end) containing t, in UTC:
// a calendar day, a week starting on Sunday 00:00 UTC (U: AWS does not
// document the first day; its older guide numbered Sunday 0), or a
// calendar month.
func QuotaWindow(period string, t time.Time) (start, end time.Time) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch period {
	case PeriodWeek:
		start = day.AddDate(0, 0, -int(day.Weekday()))
		return start, start.AddDate(0, 0, 7)
	case PeriodMonth:
		start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, 0)
	default:
		return day, day.AddDate(0, 0, 1)
	}
}

// LimitAt is the quota limit of the period containing t: Limit, less
// Offset in the initial period (the one containing the quota's anchor),
// as AWS defines offset ("the number of requests subtracted from the
// given limit in the initial time period").
func (q QuotaSettings) LimitAt(anchor, t time.Time) int64 {
	start, end := QuotaWindow(q.Period, t)
	if !anchor.Before(start) && anchor.Before(end) {
		return max(q.Limit-q.Offset, 0)
	}
	return q.Limit
}

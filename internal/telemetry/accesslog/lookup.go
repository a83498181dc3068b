package accesslog

import "github.com/stagecoach/stagecoach/internal/telemetry"

// Lookup returns the value of $context.<name> for ev, as an access log
// renders it but without the "-" for missing values: ok is false for a
// name API Gateway does not define, for the template-only override
// families and for values the event does not have. Mapping templates use
// it, so they see the same $context variables as access logs.
func Lookup(ev *telemetry.RequestEvent, name string) (string, bool) {
	id, key := lookup(name)
	if id == vUnknown || id == vTemplateOnly {
		return "", false
	}
	v := appendValue(nil, ev, id, key)
	return string(v), len(v) > 0
}

package apigw

import (
	"strconv"
	"time"
)

// Time is a timestamp that encodes as restJson1 does: a JSON number of epoch
// seconds.
type Time struct{ time.Time }

// Now returns the current time truncated to whole seconds, the precision
// AWS reports.
func Now() Time { return Time{time.Now().Truncate(time.Second)} }

// MarshalJSON encodes t as epoch seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, t.Unix(), 10), nil
}

// UnmarshalJSON decodes epoch seconds, fractional parts allowed.
func (t *Time) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*t = Time{}
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	sec := int64(f)
	t.Time = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	return nil
}

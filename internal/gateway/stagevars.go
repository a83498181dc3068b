package gateway

import "strings"

// expandStageVariables replaces every ${stageVariables.name} in s with the
// variable's value; an undefined variable becomes the empty string
// (data-plane.md §3.1). It runs when a stage is compiled, never per
// request.
func expandStageVariables(s string, vars map[string]string) string {
	const open = "${stageVariables."
	if !strings.Contains(s, open) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, open)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(vars[s[i+len(open):i+j]])
		s = s[i+j+1:]
	}
}

package gateway

import "math/rand/v2"

// Canary releases (data-plane.md §6).
//
// The compiler builds a stage's canary as a second variant: the canary
// deployment compiled with the stage's variables overlaid by
// stageVariableOverrides (compileAPI). Per request, stageRuntime.pick sends
// it to the canary with probability percentTraffic/100. Both variants share
// the stage's throttle buckets (the stage's method settings apply to
// canary traffic, U) and its cache memory, under the stage's partition
// only with useStageCache (caching.go).
//
// Everything a request sees — which deployment, which variables, the split
// — comes from the one table it loaded, so promotion (update-stage copy
// operations), percentTraffic changes and removing /canarySettings switch
// traffic atomically: every request is served wholly by the old or wholly
// by the new configuration, and none is refused in between.

// canaryRoll returns the canary draw: a number in [0, 1). It is
// math/rand/v2's global generator (per-thread ChaCha8: no lock, no shared
// state between cores) unless Options.CanaryRand provides a seeded one for
// a test.
func (c *compiler) canaryRoll() func() float64 {
	if c.g.opts.CanaryRand != nil {
		return c.g.opts.CanaryRand
	}
	return rand.Float64
}

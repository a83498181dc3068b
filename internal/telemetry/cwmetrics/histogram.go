package cwmetrics

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
)

// Histogram is a mergeable latency histogram with logarithmic buckets
// (the DDSketch construction): bucket i holds the values in
// (γ^(i-1), γ^i] with γ = (1+α)/(1-α), and a quantile is answered with
// the bucket's representative 2γ^i/(γ+1). Every value in a bucket is
// within a factor (1±α) of that representative, so a quantile is off by
// at most α = 1% of its true value — over one minute or merged over any
// number of minutes, because merging adds bucket counts and loses
// nothing. Values at or below MinValue (0.001 ms) share one zero bucket
// and are answered as 0.
//
// Buckets are sparse: a minute of latencies between 1 ms and 30 s spans
// at most ~520 buckets, and real traffic fills a few dozen.
type Histogram struct {
	zero    uint64
	buckets map[int32]uint64
}

// Relative accuracy of quantiles (α) and the derived bucket growth.
const (
	RelativeAccuracy = 0.01
	// MinValue is the smallest value with a bucket of its own.
	MinValue = 0.001
)

var (
	gamma    = (1 + RelativeAccuracy) / (1 - RelativeAccuracy)
	logGamma = math.Log(gamma)
)

// Add counts one value.
func (h *Histogram) Add(v float64) { h.AddN(v, 1) }

// AddN counts n occurrences of v.
func (h *Histogram) AddN(v float64, n uint64) {
	if !(v > MinValue) { // also NaN
		h.zero += n
		return
	}
	if h.buckets == nil {
		h.buckets = make(map[int32]uint64, 8)
	}
	h.buckets[bucketOf(v)] += n
}

func bucketOf(v float64) int32 { return int32(math.Ceil(math.Log(v) / logGamma)) }

func representative(i int32) float64 { return 2 * math.Pow(gamma, float64(i)) / (gamma + 1) }

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil {
		return
	}
	h.zero += o.zero
	if len(o.buckets) > 0 && h.buckets == nil {
		h.buckets = make(map[int32]uint64, len(o.buckets))
	}
	for i, c := range o.buckets {
		h.buckets[i] += c
	}
}

// Count is the number of values counted.
func (h *Histogram) Count() uint64 {
	n := h.zero
	for _, c := range h.buckets {
		n += c
	}
	return n
}

// Quantile returns the q-quantile (0 < q ≤ 1): the smallest bucket
// value with at least ⌈q·n⌉ values at or below it, as CloudWatch's pNN
// ("NN% of the values are at or below"). It is NaN for an empty
// histogram.
func (h *Histogram) Quantile(q float64) float64 {
	n := h.Count()
	if n == 0 {
		return math.NaN()
	}
	rank := uint64(math.Ceil(q * float64(n)))
	rank = max(rank, 1)
	if rank <= h.zero {
		return 0
	}
	seen := h.zero
	keys := h.sortedKeys()
	for _, i := range keys {
		seen += h.buckets[i]
		if seen >= rank {
			return representative(i)
		}
	}
	return representative(keys[len(keys)-1])
}

func (h *Histogram) sortedKeys() []int32 {
	keys := make([]int32, 0, len(h.buckets))
	for i := range h.buckets {
		keys = append(keys, i)
	}
	slices.Sort(keys)
	return keys
}

// AppendBinary encodes h: the zero count, then (bucket index delta,
// count) pairs in index order, all varints.
func (h *Histogram) AppendBinary(b []byte) []byte {
	b = binary.AppendUvarint(b, h.zero)
	b = binary.AppendUvarint(b, uint64(len(h.buckets)))
	prev := int32(0)
	for _, i := range h.sortedKeys() {
		b = binary.AppendVarint(b, int64(i-prev))
		b = binary.AppendUvarint(b, h.buckets[i])
		prev = i
	}
	return b
}

var errCorrupt = errors.New("cwmetrics: corrupt histogram")

// DecodeHistogram reads what AppendBinary wrote.
func DecodeHistogram(b []byte) (*Histogram, error) {
	h := &Histogram{}
	if len(b) == 0 {
		return h, nil
	}
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	var ok bool
	if h.zero, ok = next(); !ok {
		return nil, errCorrupt
	}
	cnt, ok := next()
	if !ok || cnt > uint64(len(b)) {
		return nil, errCorrupt
	}
	if cnt > 0 {
		h.buckets = make(map[int32]uint64, cnt)
	}
	prev := int64(0)
	for range cnt {
		d, n := binary.Varint(b)
		if n <= 0 {
			return nil, errCorrupt
		}
		b = b[n:]
		c, ok := next()
		if !ok {
			return nil, errCorrupt
		}
		prev += d
		h.buckets[int32(prev)] = c
	}
	return h, nil
}

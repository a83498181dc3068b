package respcache

import (
	"fmt"
	"math"
	"strconv"
)

// DefaultBytesPerGB maps a stage's cacheClusterSize (in AWS, gigabytes of
// a dedicated cache instance) to the bytes of its in-process cache: 16 MiB
// per "GB". A self-hosted gateway runs on one machine next to other stages,
// so the sizes are scaled down: 0.5 -> 8 MiB, 6.1 -> about 98 MiB, and the
// largest, 237 -> about 3.7 GiB, which still fits a laptop. The scale is a
// gateway option (ClusterCapacity's bytesPerGB); 1 << 30 gives AWS's sizes.
const DefaultBytesPerGB int64 = 16 << 20

// ClusterCapacity returns the capacity in bytes for a cacheClusterSize
// ("0.5", "1.6", ... "237") at bytesPerGB bytes per gigabyte (<= 0 means
// DefaultBytesPerGB).
func ClusterCapacity(size string, bytesPerGB int64) (int64, error) {
	if bytesPerGB <= 0 {
		bytesPerGB = DefaultBytesPerGB
	}
	gb, err := strconv.ParseFloat(size, 64)
	if err != nil || !(gb > 0) || math.IsInf(gb, 0) {
		return 0, fmt.Errorf("respcache: invalid cache cluster size %q", size)
	}
	return int64(math.Round(gb * float64(bytesPerGB))), nil
}

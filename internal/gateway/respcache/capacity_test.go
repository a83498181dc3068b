package respcache

import "testing"

func TestClusterCapacity(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		size       string
		bytesPerGB int64
		want       int64
	}{
		{"0.5", 0, 8 * mib},
		{"1.6", 0, 26843546}, // 25.6 MiB
		{"6.1", 0, 102341018},
		{"237", 0, 237 * 16 * mib},
		{"0.5", 1 << 30, 512 * mib}, // AWS's own sizes
		{"237", 64 * mib, 237 * 64 * mib},
	}
	for _, tt := range tests {
		got, err := ClusterCapacity(tt.size, tt.bytesPerGB)
		if err != nil || got != tt.want {
			t.Errorf("ClusterCapacity(%q, %d) = %d, %v; want %d", tt.size, tt.bytesPerGB, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "big", "0", "-1", "Inf", "NaN"} {
		if _, err := ClusterCapacity(bad, 0); err == nil {
			t.Errorf("ClusterCapacity(%q) accepted", bad)
		}
	}
}

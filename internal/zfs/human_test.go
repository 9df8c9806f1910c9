package zfs

import "testing"

func TestHumanSize(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0B", 512: "512B", 1024: "1K", 143360: "140K", 83354: "81.4K",
		1417339208: "1.32G", 10066330: "9.60M", 1 << 30: "1G", 1023: "1023B",
		5 * 1024 * 1024 * 1024 * 1024: "5T", 123456789012: "115G",
	} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
	for _, tc := range [][3]string{
		{"quota", "0", "none"}, {"reservation", "1073741824", "1G"},
		{"compressratio", "1.00x", "1.00x"}, {"compressratio", "2.13", "2.13x"},
		{"used", "143360", "140K"},
	} {
		if got := HumanProp(tc[0], tc[1]); got != tc[2] {
			t.Errorf("HumanProp(%s, %s) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}

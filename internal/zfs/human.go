package zfs

import (
	"fmt"
	"strconv"
	"strings"
)

// HumanSize formats bytes as zfs(8) prints sizes without -p: powers of
// 1024, at most three significant digits, "512B", "81.4K", "1.32G".
func HumanSize(n uint64) string {
	const units = "BKMGTPE"
	i, v := 0, n
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	div := uint64(1) << (10 * i)
	if i == 0 || n%div == 0 {
		return fmt.Sprintf("%d%c", v, units[i])
	}
	f := float64(n) / float64(div)
	var s string
	for prec := 2; prec >= 0; prec-- {
		s = strconv.FormatFloat(f, 'f', prec, 64) + string(units[i])
		if len(s) <= 5 {
			break
		}
	}
	return s
}

// HumanProp renders a raw (-p) property value as zfs get prints it
// without -p, for the properties jcage shows in tables.
func HumanProp(prop, raw string) string {
	switch prop {
	case "quota", "reservation", "refquota", "refreservation":
		if raw == "0" || raw == "-" || raw == "" {
			return "none"
		}
	case "compressratio", "refcompressratio":
		if raw != "-" && !strings.HasSuffix(raw, "x") {
			return raw + "x"
		}
		return raw
	}
	if n, err := strconv.ParseUint(raw, 10, 64); err == nil {
		return HumanSize(n)
	}
	return raw
}

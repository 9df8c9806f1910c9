package zfsshim

import (
	"io"
	"math"
	"strconv"
	"strings"
)

// writeTable prints rows the way zfs and zpool do: with -H (scripted) one
// TAB between fields and no header; otherwise a header and columns padded
// to their widest cell, two spaces apart, numbers right-aligned, the last
// column unpadded when left-aligned.
func writeTable(w io.Writer, scripted bool, header []string, right []bool, rows [][]string) {
	var b strings.Builder
	if scripted {
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t"))
			b.WriteByte('\n')
		}
		io.WriteString(w, b.String())
		return
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	line := func(cells []string) {
		for i, c := range cells {
			last := i == len(cells)-1
			pad := strings.Repeat(" ", widths[i]-len(c))
			switch {
			case right[i]:
				b.WriteString(pad + c)
			case last:
				b.WriteString(c)
			default:
				b.WriteString(c + pad)
			}
			if !last {
				b.WriteString("  ")
			}
		}
		b.WriteByte('\n')
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	io.WriteString(w, b.String())
}

// parseHuman reads a size the way zfs-fuse prints it without -p (512,
// 17.5K, 6.61M, 504M: powers of 1024) and returns bytes. The result is only
// as exact as the printed figure.
func parseHuman(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	mult := 1.0
	units := "KMGTPE"
	if i := strings.IndexByte(units, s[len(s)-1]); i >= 0 {
		mult = math.Pow(1024, float64(i+1))
		s = s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return uint64(math.Round(f * mult)), true
}

// sortValue turns a property value into a sort key: a number when it
// reads as one (exact, human size, ratio or percentage), else the text.
func sortValue(s string) (float64, bool) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return n, true
	}
	if n, ok := parseHuman(s); ok {
		return float64(n), true
	}
	for _, suffix := range []string{"x", "%"} {
		if t, ok := strings.CutSuffix(s, suffix); ok {
			if n, err := strconv.ParseFloat(t, 64); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

// compareValues orders two values of one property: numbers numerically
// and before text, text bytewise.
func compareValues(a, b string) int {
	na, oka := sortValue(a)
	nb, okb := sortValue(b)
	switch {
	case oka && okb:
		switch {
		case na < nb:
			return -1
		case na > nb:
			return 1
		}
		return 0
	case oka:
		return -1
	case okb:
		return 1
	}
	return strings.Compare(a, b)
}

// zfsColumn is the header OpenZFS prints for a `zfs list` column.
var zfsColumn = map[string]string{
	"available":            "AVAIL",
	"referenced":           "REFER",
	"compressratio":        "RATIO",
	"refcompressratio":     "REFRATIO",
	"usedbysnapshots":      "USEDSNAP",
	"usedbydataset":        "USEDDS",
	"usedbychildren":       "USEDCHILD",
	"usedbyrefreservation": "USEDREFRESERV",
	"compression":          "COMPRESS",
	"recordsize":           "RECSIZE",
	"readonly":             "RDONLY",
	"reservation":          "RESERV",
	"refreservation":       "REFRESERV",
	"volblocksize":         "VOLBLOCK",
	"logicalused":          "LUSED",
	"logicalreferenced":    "LREFER",
	"dnodesize":            "DNSIZE",
}

// zfsNumeric lists the `zfs list` columns OpenZFS right-aligns.
var zfsNumeric = map[string]bool{
	"used": true, "available": true, "referenced": true, "compressratio": true,
	"refcompressratio": true, "usedbysnapshots": true, "usedbydataset": true,
	"usedbychildren": true, "usedbyrefreservation": true, "quota": true,
	"refquota": true, "reservation": true, "refreservation": true, "volsize": true,
	"volblocksize": true, "recordsize": true, "written": true, "logicalused": true,
	"logicalreferenced": true, "copies": true, "userrefs": true,
}

func zfsHeader(prop string) string {
	if h, ok := zfsColumn[prop]; ok {
		return h
	}
	return strings.ToUpper(prop)
}

var zpoolColumn = map[string]string{
	"allocated":     "ALLOC",
	"capacity":      "CAP",
	"dedupratio":    "DEDUP",
	"expandsize":    "EXPANDSZ",
	"fragmentation": "FRAG",
	"checkpoint":    "CKPOINT",
	"readonly":      "RDONLY",
}

var zpoolNumeric = map[string]bool{
	"size": true, "allocated": true, "free": true, "capacity": true, "dedupratio": true,
	"expandsize": true, "fragmentation": true, "checkpoint": true, "freeing": true, "leaked": true,
}

func zpoolHeader(prop string) string {
	if h, ok := zpoolColumn[prop]; ok {
		return h
	}
	return strings.ToUpper(prop)
}

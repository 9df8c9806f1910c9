package render

import (
	"sort"
)

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

func inRanges(r rune, table []runeRange) bool {
	i := sort.Search(len(table), func(i int) bool { return table[i].hi >= r })
	return i < len(table) && table[i].lo <= r
}

// charWidth is texttable's uchar_width without the optional wcwidth module,
// which neither iocage nor the FreeBSD texttable port pulls in. Control
// characters count as 1, as they do there.
func charWidth(r rune) int {
	if r < 0x300 {
		// Nothing below U+0300 is wide or combining; this keeps ASCII cheap.
		return 1
	}
	if inRanges(r, wideRanges) {
		return 2
	}
	if inRanges(r, combiningRanges) {
		return 0
	}
	return 1
}

// displayWidth is texttable's len(): the sum of charWidth over the runes.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += charWidth(r)
	}
	return n
}

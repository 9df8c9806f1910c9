package render

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// checkOrder asserts that cmp puts want in that order from any starting
// order, and that it is antisymmetric on every pair.
func checkOrder(t *testing.T, name string, cmp func(a, b string) int, want []string) {
	t.Helper()
	for i := range want {
		for j := range want {
			got := cmp(want[i], want[j])
			if (i < j && got >= 0) || (i > j && got <= 0) {
				t.Errorf("%s(%q, %q) = %d, want %s", name, want[i], want[j], got,
					map[bool]string{true: "< 0", false: "> 0"}[i < j])
			}
		}
	}
	shuffled := slices.Clone(want)
	slices.Reverse(shuffled)
	slices.SortStableFunc(shuffled, cmp)
	if !slices.Equal(shuffled, want) {
		t.Errorf("%s sorted = %q, want %q", name, shuffled, want)
	}
}

func TestCompareName(t *testing.T) {
	checkOrder(t, "CompareName", CompareName, []string{
		"alpha",
		"foo",   // no "_": its whole text, ahead of foo_*
		"foo_1", // integer suffixes by value
		"foo_2",
		"foo_10",
		"foo_bar", // text suffixes after integer ones
		"foo_baz",
		"foo2",                       // heads compare as text: "foo" < "foo2" < "foo_x"
		"foo_x_1",                    // head "foo_x"
		"ioc_update_13.2-RELEASE-p1", // snapshot, then its /root twin
		"ioc_update_13.2-RELEASE-p1/root",
		"www1",
	})
	// The suffix is read the way Python's int() reads it.
	if c := CompareName("a_010", "a_10"); c != 0 {
		t.Errorf(`CompareName("a_010", "a_10") = %d, want 0`, c)
	}
	checkOrder(t, "CompareName", CompareName, []string{"a_-3", "a_+2", "a_99999999999999999999999"})
}

func TestCompareJID(t *testing.T) {
	checkOrder(t, "CompareJID", CompareJID, []string{"1", "2", "10", "123", "-", "N/A", "None"})
}

func TestCompareState(t *testing.T) {
	checkOrder(t, "CompareState", CompareState, []string{"up", "down"})
	if CompareState("CORRUPT", "up") != 0 {
		t.Error("CORRUPT should rank with up, as in iocage")
	}
}

func TestCompareBoot(t *testing.T) {
	checkOrder(t, "CompareBoot", CompareBoot, []string{"on", "off"})
	for _, v := range []string{"1", "yes", "TRUE", "on"} {
		if CompareBoot(v, "on") != 0 {
			t.Errorf("boot %q should count as on", v)
		}
	}
}

func TestCompareTemplate(t *testing.T) {
	checkOrder(t, "CompareTemplate", CompareTemplate, []string{"base", "tmpl_2", "tmpl_10", "-"})
}

func TestCompareIP4(t *testing.T) {
	checkOrder(t, "CompareIP4", CompareIP4, []string{
		"9.0.0.1",
		"10.0.0.2", // numeric, not text: 10.0.0.2 < 10.0.0.10 < 192.168.0.1
		"vnet0|10.0.0.5/24",
		"10.0.0.10",
		"em0|192.168.0.9,em0|10.0.0.11", // the lowest address counts
		"192.168.0.1",
		"-", // no address: last, by text
		"DHCP",
		"DHCP (not running)",
		"vnet0|DHCP",
	})
	if CompareIP4("10.0.0.1/24", " 10.0.0.1 ") != 0 {
		t.Error("prefix length and spaces should not matter")
	}
}

func TestCompareIP6(t *testing.T) {
	checkOrder(t, "CompareIP6", CompareIP6, []string{
		"vnet0|2001:db8::2/64",
		"2001:db8::10",
		"vnet0|2001:db8:1::1/64,vnet0|fe80::1",
		"fe80::1%em0",
		"-",
		"10.0.0.1", // IPv4 in an IP6 cell is not an IPv6 address
		"vnet0|accept_rtadv",
	})
}

func TestCompareSize(t *testing.T) {
	checkOrder(t, "CompareSize", CompareSize, []string{"none", "512", "81.4K", "1023K", "1.00M", "9.60M", "1.32G", "2T"})
	if CompareSize("0", "none") != 0 {
		t.Error(`"0" and "none" both count as zero`)
	}
}

func TestCompareRatio(t *testing.T) {
	checkOrder(t, "CompareRatio", CompareRatio, []string{"1.00x", "1.03x", "2.01x", "10.00x", "-"})
}

func TestCompareCreated(t *testing.T) {
	checkOrder(t, "CompareCreated", CompareCreated, []string{
		"Thu Jul  4 23:39 2019",
		"Thu Jul 04 23:40 2019",
		"Fri Sep 20 17:34 2019",
		"Mon Jan  1 00:00 2024",
		"garbage",
	})
}

func TestSort(t *testing.T) {
	rows := func() [][]string {
		return [][]string{
			{"None", "web_10", "down", "13.4-RELEASE", "-"},
			{"5", "web_2", "up", "14.3-RELEASE", "10.0.0.10"},
			{"12", "db", "up", "9.3-RELEASE", "10.0.0.9"},
			{"None", "web_1", "down", "14.3-RELEASE", "DHCP"},
			{"3", "mail", "up", "14.3-RELEASE", "10.0.0.9"},
		}
	}
	names := func(tb *Table) string {
		var out []string
		for _, r := range tb.Rows {
			out = append(out, r[1])
		}
		return strings.Join(out, " ")
	}
	tests := []struct{ key, want string }{
		{"name", "db mail web_1 web_2 web_10"},
		{"NAME", "db mail web_1 web_2 web_10"},
		{"jid", "mail web_2 db web_1 web_10"},
		{"state", "db mail web_2 web_1 web_10"},
		{"release", "db web_10 mail web_1 web_2"},
		{"ip4", "db mail web_2 web_10 web_1"},
	}
	for _, tt := range tests {
		tb := &Table{Columns: ListColumns(), Rows: rows()}
		if err := tb.Sort(tt.key); err != nil {
			t.Fatalf("Sort(%q): %v", tt.key, err)
		}
		if got := names(tb); got != tt.want {
			t.Errorf("Sort(%q) = %s, want %s", tt.key, got, tt.want)
		}
	}
}

func TestSortRejectsUnknownKey(t *testing.T) {
	tb := &Table{Columns: ListLongColumns()}
	err := tb.Sort("basejail")
	var se *SortError
	if !errors.As(err, &se) {
		t.Fatalf("Sort(basejail) = %v, want *SortError", err)
	}
	want := "Invalid sort type specified, use one of:\n" +
		"  jid\n  name\n  boot\n  state\n  type\n  release\n  ip4\n  ip6\n  template"
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
}

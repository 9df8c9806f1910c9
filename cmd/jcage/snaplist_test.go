package main

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/render"
)

// The reference's sample, byte for byte, from the raw rows the store
// reads: creation in Unix seconds shown in local time, sizes in bytes
// shown as zfs get does.
func TestSnaplistTableMatchesIocageSample(t *testing.T) {
	sec := strconv.FormatInt(time.Date(2019, 7, 4, 23, 39, 0, 0, time.Local).Unix(), 10)
	tab := snaplistTable([][]string{
		{"ioc_update_11.2-RELEASE-p2", sec, "143360", "83354"},
		{"ioc_update_11.2-RELEASE-p2/root", sec, "1417339208", "10066330"},
	}, false)
	if err := tab.Sort("created"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tab.Write(&b, render.FormatTable); err != nil {
		t.Fatal(err)
	}
	want := `+---------------------------------+-----------------------+-------+-------+
|              NAME               |        CREATED        | RSIZE | USED  |
+=================================+=======================+=======+=======+
| ioc_update_11.2-RELEASE-p2      | Thu Jul  4 23:39 2019 | 140K  | 81.4K |
+---------------------------------+-----------------------+-------+-------+
| ioc_update_11.2-RELEASE-p2/root | Thu Jul  4 23:39 2019 | 1.32G | 9.60M |
+---------------------------------+-----------------------+-------+-------+
`
	if b.String() != want {
		t.Fatalf("snaplist:\n%s\nwant:\n%s", b.String(), want)
	}
}

// snaplist ALL leads with the fork's JAIL column and sorts by creation.
func TestSnaplistTableAll(t *testing.T) {
	t0 := time.Date(2023, 11, 23, 11, 45, 0, 0, time.Local)
	s0, s1 := strconv.FormatInt(t0.Unix(), 10), strconv.FormatInt(t0.Add(time.Hour).Unix(), 10)
	tab := snaplistTable([][]string{
		{"a", "s", s1, "1024", "0"},
		{"a", "s/root", s1, "2048", "0"},
		{"t-b", "s", s0, "512", "0"},
		{"t-b", "s/root", s0, "512", "0"},
	}, true)
	if err := tab.Sort("created"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_ = tab.Write(&b, render.FormatTSV)
	want := "t-b\ts\tThu Nov 23 11:45 2023\t512B\t0B\n" +
		"t-b\ts/root\tThu Nov 23 11:45 2023\t512B\t0B\n" +
		"a\ts\tThu Nov 23 12:45 2023\t1K\t0B\n" +
		"a\ts/root\tThu Nov 23 12:45 2023\t2K\t0B\n"
	if b.String() != want {
		t.Fatalf("snaplist ALL:\n%q\nwant\n%q", b.String(), want)
	}
}

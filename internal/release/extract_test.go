package release

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/host"
)

func TestMemberCheck(t *testing.T) {
	hdr := func(typ byte, name, link string, size int64) *tar.Header {
		return &tar.Header{Typeflag: typ, Name: name, Linkname: link, Size: size}
	}
	cases := []struct {
		h    *tar.Header
		want string // "" = accepted; else part of the reason
	}{
		{hdr(tar.TypeDir, "./", "", 0), ""},
		{hdr(tar.TypeReg, "./bin/sh", "", 10), ""},
		{hdr(tar.TypeReg, "usr/src/Makefile", "", 10), ""},
		{hdr(tar.TypeLink, "./bin/[", "./bin/test", 0), ""},
		{hdr(tar.TypeSymlink, "./sys", "usr/src/sys", 0), ""},
		{hdr(tar.TypeSymlink, "./etc/termcap", "/usr/share/misc/termcap", 0), ""},
		{hdr(tar.TypeSymlink, "./usr/lib/libc.so", "../../lib/libc.so.7", 0), ""},
		{hdr(tar.TypeChar, "./dev/null", "", 0), ""},
		{hdr(tar.TypeFifo, "./var/run/fifo", "", 0), ""},
		{hdr(tar.TypeXGlobalHeader, "pax_global_header", "", 0), ""},
		{hdr(tar.TypeReg, "/etc/passwd", "", 1), "absolute path"},
		{hdr(tar.TypeReg, "../etc/passwd", "", 1), `".." in path`},
		{hdr(tar.TypeReg, "./a/../../b", "", 1), `".." in path`},
		{hdr(tar.TypeDir, "a/..", "", 0), `".." in path`},
		{hdr(tar.TypeReg, "", "", 0), "empty name"},
		{hdr(tar.TypeLink, "./x", "/etc/master.passwd", 0), "hardlink target /etc/master.passwd: absolute path"},
		{hdr(tar.TypeLink, "./x", "../../etc/master.passwd", 0), `hardlink target ../../etc/master.passwd: ".." in path`},
		{hdr(tar.TypeSymlink, "./", "/", 0), "the root cannot be a symlink"},
		{hdr(tar.TypeDir, "./d", "", 5), "with 5 bytes of data"},
		{hdr(tar.TypeSymlink, "./s", "t", 5), "with 5 bytes of data"},
		{hdr(tar.TypeGNUSparse, "./sparse", "", 5), "unsupported member type"},
		{hdr('V', "volume", "", 0), "unsupported member type"},
		{&tar.Header{Typeflag: tar.TypeReg, Name: "./s", PAXRecords: map[string]string{"GNU.sparse.map": "0,1"}}, "sparse members"},
	}
	for _, c := range cases {
		err := newMemberCheck().check(c.h)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if c.want == "" && err != nil || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%q (%q): %q, want %q", c.h.Name, c.h.Typeflag, got, c.want)
		}
	}
	// A symlink, from this set or an earlier one, never carries a later
	// member (or a hardlink's target) outside the root.
	m := newMemberCheck()
	for _, h := range []*tar.Header{hdr(tar.TypeSymlink, "./escape", "/", 0), hdr(tar.TypeDir, "./escaped/", "", 0)} {
		if err := m.check(h); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range []*tar.Header{
		hdr(tar.TypeReg, "./escape/etc/passwd", "", 1),
		hdr(tar.TypeDir, "escape/x/", "", 0),
		hdr(tar.TypeLink, "./innocent", "./escape/etc/master.passwd", 0),
	} {
		if err := m.check(h); err == nil {
			t.Errorf("%s accepted after the symlink ./escape", h.Name)
		}
	}
	if err := m.check(hdr(tar.TypeReg, "./escaped/file", "", 1)); err != nil {
		t.Errorf("a sibling with the symlink's name as prefix: %v", err)
	}
}

// What passes the check reaches tar byte for byte.
func TestScanForwardsTheStreamExactly(t *testing.T) {
	long := "./" + strings.Repeat("deep/", 40) + "file"
	entries := []tarEntry{
		{hdr: &tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": "synthetic"}}},
		{hdr: &tar.Header{Typeflag: tar.TypeDir, Name: "./", Mode: 0o755}},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./empty", Mode: 0o644}},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./b511", Mode: 0o644}, data: strings.Repeat("a", 511)},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./b512", Mode: 0o644}, data: strings.Repeat("b", 512)},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./b513", Mode: 0o4555, PAXRecords: map[string]string{"SCHILY.fflags": "schg"}}, data: strings.Repeat("c", 513)},
		{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: long, Mode: 0o644}, data: strings.Repeat("d", 100000)},
		{hdr: &tar.Header{Typeflag: tar.TypeLink, Name: "./hard", Linkname: "./b511"}},
		{hdr: &tar.Header{Typeflag: tar.TypeSymlink, Name: "./sym", Linkname: "/nowhere/" + strings.Repeat("x", 120)}},
		{hdr: &tar.Header{Typeflag: tar.TypeFifo, Name: "./fifo", Mode: 0o600}},
	}
	for _, format := range []tar.Format{tar.FormatPAX, tar.FormatGNU} {
		var in bytes.Buffer
		tw := tar.NewWriter(&in)
		for _, e := range entries {
			h := *e.hdr
			h.Size = int64(len(e.data))
			if format == tar.FormatGNU && (h.Typeflag == tar.TypeXGlobalHeader || h.PAXRecords != nil) {
				continue
			}
			h.Format = format
			if err := tw.WriteHeader(&h); err != nil {
				t.Fatal(err)
			}
			io.WriteString(tw, e.data)
		}
		tw.Close()
		src := append(slices.Clone(in.Bytes()), make([]byte, 10240)...) // record padding
		var out bytes.Buffer
		if err := scan(bytes.NewReader(src), &out, newMemberCheck()); err != nil {
			t.Fatalf("%v: %v", format, err)
		}
		if !bytes.Equal(out.Bytes(), in.Bytes()) {
			t.Fatalf("%v: forwarded %d bytes of %d, or different ones", format, out.Len(), in.Len())
		}
	}
}

// A refused member's header never reaches tar: the output stops where
// the member starts.
func TestScanHoldsARefusedHeader(t *testing.T) {
	for _, bad := range []*tar.Header{
		{Typeflag: tar.TypeReg, Name: "../escape", Size: 4},
		{Typeflag: tar.TypeReg, Name: "./" + strings.Repeat("long/", 30) + "../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../x", Size: 4},
		{Typeflag: tar.TypeReg, Name: "/abs", Size: 4, PAXRecords: map[string]string{"comment": "pax"}},
	} {
		var in bytes.Buffer
		tw := tar.NewWriter(&in)
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "./ok", Size: 3})
		io.WriteString(tw, "ok\n")
		tw.Flush()
		good := in.Len()
		tw.WriteHeader(bad)
		io.WriteString(tw, "bad\n")
		tw.Close()
		var out bytes.Buffer
		err := scan(bytes.NewReader(in.Bytes()), &out, newMemberCheck())
		var um *UnsafeMemberError
		if !errors.As(err, &um) {
			t.Fatalf("%s: %v", bad.Name, err)
		}
		if out.Len() != good {
			t.Errorf("%s: forwarded %d bytes, want the %d before its header", bad.Name, out.Len(), good)
		}
	}
	var out bytes.Buffer
	if err := scan(strings.NewReader("not a tar archive at all, and far too short"), &out, newMemberCheck()); err == nil {
		t.Error("garbage accepted")
	}
}

// Through the real xz and tar: a symlink to the outside followed by a
// member below it is refused before tar writes anything through it.
func TestExtractionRefusesEscapes(t *testing.T) {
	outside := t.TempDir()
	for name, entries := range map[string][]tarEntry{
		"symlink": {
			{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./first", Mode: 0o644}, data: "1\n"},
			{hdr: &tar.Header{Typeflag: tar.TypeSymlink, Name: "./out", Linkname: outside}},
			{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./out/pwned", Mode: 0o644}, data: "x\n"},
		},
		"dotdot": {
			{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./first", Mode: 0o644}, data: "1\n"},
			{hdr: &tar.Header{Typeflag: tar.TypeReg, Name: "./../pwned", Mode: 0o644}, data: "x\n"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			data, err := xzTar(entries)
			if err != nil {
				t.Fatal(err)
			}
			root := filepath.Join(t.TempDir(), "root")
			if err := os.Mkdir(root, 0o755); err != nil {
				t.Fatal(err)
			}
			x, err := startExtraction(context.Background(), host.Exec{}, argv.TarExtract("linux", root, os.Geteuid() == 0), newMemberCheck())
			if err != nil {
				t.Fatal(err)
			}
			x.in.Write(data)
			err = x.wait()
			var um *UnsafeMemberError
			if !errors.As(err, &um) {
				t.Fatalf("err %v", err)
			}
			if _, err := os.Stat(filepath.Join(outside, "pwned")); err == nil {
				t.Fatal("a member was written outside the root")
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(root), "pwned")); err == nil {
				t.Fatal("a member was written beside the root")
			}
		})
	}
}

// A corrupt stream stops xz; the writer is not left blocked and the
// error says so.
func TestExtractionCorruptStream(t *testing.T) {
	root := t.TempDir()
	x, err := startExtraction(context.Background(), host.Exec{}, argv.TarExtract("linux", root, false), newMemberCheck())
	if err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte("not xz "), 200000)
	for i := 0; i < 20; i++ {
		if _, err := x.in.Write(junk); err != nil {
			break
		}
	}
	if err := x.wait(); err == nil || !strings.Contains(err.Error(), "decompressing") {
		t.Fatalf("err %v", err)
	}
}

package fstab

import (
	"errors"
	"strings"
	"testing"
)

// Expected encodings worked out from vis.c for
// VIS_SP|VIS_TAB|VIS_NL|VIS_SHELL|VIS_DQ in a UTF-8 locale.
func TestVis(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"/usr/local/scripts", "/usr/local/scripts"},
		{"/mnt/my data", `/mnt/my\040data`},
		{"a\tb\nc", `a\011b\012c`},
		{`say "hi"`, `say\040\042hi\042`},
		{`back\slash`, `back\134slash`},
		{"'`;&<>()|{}]$!^~", `\047\140\073\046\074\076\050\051\174\173\175\135\044\041\136\176`},
		// Glob characters and '#' are not in the set.
		{"[*?#]", `[*?#\135`},
		{"=,:@%+-_.", "=,:@%+-_."},
		// Other control characters: \^X; DEL: \^?.
		{"\r\x01\x1b\x7f", `\^M\^A\^[\^?`},
		{"a\x00b", `a\^@b`},
		// Printable UTF-8 stays.
		{"/tank/Zürich/日本", "/tank/Zürich/日本"},
		// Non-graphic wide characters and invalid UTF-8: each byte as
		// do_mbyte writes one, so that strunvis gives the bytes back
		// (libc writes the value's bytes: \240 for U+00A0).
		{"\u0085", `\M-B\M^E`},
		{"\u00a0", `\M-B\240`},
		{"\u2028", `\M-b\M^@\M-(`},
		{"\xff", `\M^?`},
		{"\x80", `\M^@`},
		{"é\xff a", "é\\M^?\\040a"},
	} {
		if got := Vis(tc.in); got != tc.want {
			t.Errorf("Vis(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnvis(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{"plain", "plain", false},
		{`/mnt/my\040data`, "/mnt/my data", false},
		{`\40`, " ", false},
		{`\0401`, " 1", false},
		{`\4x`, "\x04x", false},
		{`\777`, "\xff", false},
		{`\s\t\n\r\b\a\v\f\E`, " \t\n\r\b\a\v\f\x1b", false},
		{`\\`, `\`, false},
		{`\M-a\M^A\^?\^[`, "\xe1\x81\x7f\x1b", false},
		{`\x41\x4g`, "A\x04g", false},
		{`\x4`, "\x04", false},
		{"a\\\nb\\$c", "abc", false},
		{"a\x00b", "a", false},
		{`\xg`, "", true},
		{`\q`, "", true},
		{`a\`, "a", false},
		{`\M`, "", false},
		{`\Mx`, "", true},
		{`\^`, "", false},
	} {
		got, err := Unvis(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrBadEscape) {
				t.Errorf("Unvis(%q) = %q, %v; want ErrBadEscape", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Unvis(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func checkVis(t *testing.T, s string) {
	enc := Vis(s)
	if strings.ContainsAny(enc, " \t\n") {
		t.Fatalf("Vis(%q) = %q keeps a field separator", s, enc)
	}
	dec, err := Unvis(enc)
	if want, _, _ := strings.Cut(s, "\x00"); err != nil || dec != want {
		t.Fatalf("Unvis(Vis(%q)) = %q, %v", s, dec, err)
	}
	_, _ = Unvis(s) // never panics
}

func TestVisRoundTripASCII(t *testing.T) {
	var all strings.Builder
	for c := 1; c < 0x80; c++ {
		all.WriteByte(byte(c))
		checkVis(t, string(rune(c)))
	}
	checkVis(t, all.String())
	checkVis(t, "/tank/Zürich/日本 and more")
}

func FuzzVisRoundTrip(f *testing.F) {
	for _, s := range []string{"", "/mnt/my data", "a\tb\nc\"d\\e", "'`;&<>()|{}]$!^~", "\r\x7f", "Zürich", "\u2028", "\xff\x80", `\040\q`} {
		f.Add(s)
	}
	f.Fuzz(checkVis)
}

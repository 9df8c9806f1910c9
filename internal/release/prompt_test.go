package release

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestPrompt(t *testing.T) {
	rels := []string{"13.4-RELEASE", "14.2-RELEASE", "14.3-RELEASE"}
	const menu = "[0] 13.4-RELEASE\n[1] 14.2-RELEASE\n[2] 14.3-RELEASE\n" +
		"Type the number of the desired RELEASE\nPress [Enter] to fetch the default selection: (14.3-RELEASE)\nType EXIT to quit: "
	for _, c := range []struct {
		in, def, want string
		err           error
	}{
		{"1\n", "14.3-RELEASE", "14.2-RELEASE", nil},
		{"0", "14.3-RELEASE", "13.4-RELEASE", nil},
		{"\n", "14.3-RELEASE", "14.3-RELEASE", nil},
		{"  2  \n", "14.3-RELEASE", "14.3-RELEASE", nil},
		{"13.4-RELEASE\n", "14.3-RELEASE", "13.4-RELEASE", nil},
		{"EXIT\n", "14.3-RELEASE", "", ErrQuit},
		{"exit\n", "14.3-RELEASE", "", ErrQuit},
		{"3\n", "14.3-RELEASE", "", ErrInvalid},
		{"-1\n", "14.3-RELEASE", "", ErrInvalid},
		{"banana\n", "14.3-RELEASE", "", ErrInvalid},
		{"\n", "", "", ErrInvalid},
	} {
		var out bytes.Buffer
		got, err := Prompt(strings.NewReader(c.in), &out, rels, c.def)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("answer %q: %q %v, want %q %v", c.in, got, err, c.want, c.err)
		}
		if c.def != "" && out.String() != menu {
			t.Errorf("menu:\n%q\nwant\n%q", out.String(), menu)
		}
	}
	var out bytes.Buffer
	Prompt(strings.NewReader("\n"), &out, nil, "")
	if !strings.Contains(out.String(), "default selection: (Not a RELEASE)\n") {
		t.Errorf("no host release: %q", out.String())
	}
	if _, err := Prompt(strings.NewReader(""), &out, rels, "14.3-RELEASE"); err == nil || !strings.Contains(err.Error(), "pass the release with -r") {
		t.Errorf("no answer: %v", err)
	}
}

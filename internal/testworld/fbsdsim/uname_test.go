package fbsdsim

import (
	"strings"
	"testing"
)

func TestUname(t *testing.T) {
	h := ulNewHarness(t)
	h.env["JCAGE_SIM_HOSTNAME"] = "jhost"
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "FreeBSD\n"},
		{[]string{"-s"}, "FreeBSD\n"},
		{[]string{"-o"}, "FreeBSD\n"},
		{[]string{"-r"}, "14.3-RELEASE\n"},
		{[]string{"-m"}, "amd64\n"},
		{[]string{"-p"}, "amd64\n"},
		{[]string{"-n"}, "jhost\n"},
		{[]string{"-i"}, "GENERIC\n"},
		{[]string{"-K"}, "1403000\n"},
		{[]string{"-U"}, "1403000\n"},
		{[]string{"-mr"}, "14.3-RELEASE amd64\n"},
		{[]string{"-m", "-r", "-s"}, "FreeBSD 14.3-RELEASE amd64\n"},
	} {
		if r := h.run("uname", "", c.args...); r.code != 0 || r.stdout != c.want {
			t.Errorf("uname %v: %+v, want %q", c.args, r, c.want)
		}
	}
	r := h.run("uname", "", "-a")
	if !strings.HasPrefix(r.stdout, "FreeBSD jhost 14.3-RELEASE FreeBSD 14.3-RELEASE releng/14.3") || !strings.HasSuffix(r.stdout, "GENERIC  amd64\n") {
		t.Fatalf("uname -a: %q", r.stdout)
	}

	h.env["JCAGE_SIM_HOST_RELEASE"] = "13.5-RELEASE-p2"
	h.env["JCAGE_SIM_MACHINE"] = "arm64"
	h.run("uname", "", "-rmp").want(t, 0, "13.5-RELEASE-p2 arm64 aarch64\n", "")
	h.run("uname", "", "-K").want(t, 0, "1305000\n", "")
	// UNAME_x overrides each field, as in FreeBSD's uname.
	h.env["UNAME_r"] = "12.4-RELEASE"
	h.env["UNAME_m"] = "i386"
	h.run("uname", "", "-rm").want(t, 0, "12.4-RELEASE i386\n", "")
}

func TestUnameRefusals(t *testing.T) {
	h := ulNewHarness(t)
	h.run("uname", "", "-z").want(t, 1, "", "uname: illegal option -- z\nusage: uname [-abiKmnoprsUv]\n")
	h.run("uname", "", "-r", "extra").want(t, 1, "", "usage: uname [-abiKmnoprsUv]\n")
	h.run("uname", "", "--version").want(t, 1, "", "uname: illegal option -- -\n")
}

package release

import (
	"strings"
	"testing"
)

const testKey = "800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5"

func TestSanitizeConf(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"KeyPrint " + testKey + "\nServerName update.FreeBSD.org\nComponents src world kernel\n",
			"KeyPrint " + testKey + "\nServerName update.FreeBSD.org\nComponents src world\n"},
		{"# Components src world kernel\nComponents world kernel/generic kernel # comment\nServerName x\nIgnorePaths", // last line without newline
			"Components world\nServerName x\nIgnorePaths\n"},
		{"Components kernel\nServerName x\n", "ServerName x\nComponents world\n"},
		{"ServerName x\nComponents src\nComponents world\n", "ServerName x\nComponents src\nComponents world\n"},
		{"ServerName x\nIgnorePaths /etc/x  /boot\nMergeChanges /etc/ /boot/device.hints\nAllowAdd yes\n",
			"ServerName x\nIgnorePaths /etc/x /boot\nMergeChanges /etc/ /boot/device.hints\nAllowAdd yes\nComponents world\n"},
		// Keys that name host paths or host actions are dropped.
		{"ServerName x\nWorkDir /etc\nBackupKernelDir /boot/x\nBackupKernel yes\nMailTo a@b\nCreateBootEnv yes\n",
			"ServerName x\nComponents world\n"},
	} {
		got, err := SanitizeConf([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("%q:\n%q %v\nwant\n%q", tc.in, got, err, tc.want)
		}
	}
	for in, want := range map[string]string{
		"":                                      "has no ServerName",
		"# ServerName x\n":                      "has no ServerName",
		"ServerName x\nEvil $(touch /x)\n":      `line 2: unknown key "Evil"`,
		"ServerName x;rm\n":                     "line 1: ServerName",
		"ServerName x\nKeyPrint abc\n":          "line 2: KeyPrint",
		"ServerName x\nAllowAdd maybe\n":        "line 2: AllowAdd",
		"ServerName x\nComponents world\x1b\n":  "line 2: control character",
		"ServerName x\nComponents ../../etc\n":  "line 2: Components",
		"ServerName /etc/passwd\n":              "line 1: ServerName",
		"ServerName x\nVerboseLevel loud\n":     "line 2: VerboseLevel",
		"ServerName x\nIgnorePaths a\rb\n":      "line 2: control character",
		"ServerName x\nconfig_KeyPrint\n":       "unknown key",
		"ServerName x\nComponents world;reboot": "line 2: Components",
	} {
		if _, err := SanitizeConf([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

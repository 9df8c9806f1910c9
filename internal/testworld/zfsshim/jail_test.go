package zfsshim

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/fbsdsim"
)

func simJail(t *testing.T, state, name string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := fbsdsim.Run(&fbsdsim.Env{Tool: "jail", Args: []string{"-c", "name=" + name, "path=" + t.TempDir(), "persist"},
		State: state, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	if code != 0 {
		t.Fatalf("jail -c: %d %s", code, errb.String())
	}
}

// zfs jail / unjail keep the per-jail list (zone_dataset_attach/detach)
// and zfs inside the jail mounts only what it was given, jailed.
func TestZFSJailUnjail(t *testing.T) {
	state := t.TempDir()
	t.Setenv(fbsdsim.StateEnv, state)
	simJail(t, state, "ioc-a")
	f := newFake(t).
		on("zfs list -H -o name -t filesystem p/data", ok("p/data\n")).
		on("zfs list -H -o name -t filesystem p/nope", fail(1, "cannot open 'p/nope': dataset does not exist\n")).
		on("zfs get -H -o value zoned p/data/child", ok("on\n")).
		on("zfs get -H -o value zoned p/other", ok("on\n"))

	runShim(f, "zfs", "jail", "nojail", "p/data").want(t, "", "invalid jail id or name\n"+jailUsage, 2)
	runShim(f, "zfs", "jail", "ioc-a").want(t, "", "missing argument(s)\n"+jailUsage, 2)
	runShim(f, "zfs", "jail", "ioc-a", "p/nope").want(t, "", "cannot open 'p/nope': dataset does not exist\n", 1)
	runShim(f, "zfs", "jail", "ioc-a", "p/data").want(t, "", "", 0)
	runShim(f, "zfs", "jail", "1", "p/data").want(t, "", "cannot jail 'p/data': dataset already exists\n", 1)

	t.Setenv(JailEnv, "1")
	runShim(f, "zfs", "mount", "p/data/child").want(t, "", "", 0)
	runShim(f, "zfs", "mount", "p/data/child").want(t, "", "cannot mount 'p/data/child': filesystem already mounted\n", 1)
	runShim(f, "zfs", "mount", "p/other").want(t, "", "cannot open 'p/other': dataset does not exist\n", 1)
	runShim(f, "zfs", "list").want(t, "", "zfs: inside a jail the simulation knows only `zfs mount|umount DATASET`, not \"list\"\n", 70)
	runShim(f, "zfs", "umount", "p/data/child").want(t, "", "", 0)
	os.Unsetenv(JailEnv)

	runShim(f, "zfs", "unjail", "ioc-a", "p/data").want(t, "", "", 0)
	runShim(f, "zfs", "unjail", "ioc-a", "p/data").want(t, "", "cannot unjail 'p/data': dataset does not exist\n", 1)

	// jail -r frees the jail's list.
	runShim(f, "zfs", "jail", "ioc-a", "p/data").want(t, "", "", 0)
	var out, errb bytes.Buffer
	fbsdsim.Run(&fbsdsim.Env{Tool: "jail", Args: []string{"-r", "ioc-a"}, State: state, Stdin: strings.NewReader(""),
		Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	b, _ := os.ReadFile(state + "/zfsjail.json")
	if strings.Contains(string(b), "p/data") {
		t.Fatalf("list kept after jail -r: %s", b)
	}
}

package zfsshim

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fakeReal stands in for zfs-fuse: it answers scripted calls and records
// every call as "zfs ARGS" (captured) or "exec zfs ARGS" (passed through).
type fakeReal struct {
	t       *testing.T
	replies map[string][]Result
	calls   []string
}

func newFake(t *testing.T) *fakeReal {
	return &fakeReal{t: t, replies: map[string][]Result{}}
}

// on scripts the answers to one call; repeated calls take them in turn
// and then keep the last.
func (f *fakeReal) on(call string, rs ...Result) *fakeReal {
	f.replies[call] = rs
	return f
}

func (f *fakeReal) reply(key string) Result {
	rs, ok := f.replies[key]
	if !ok {
		f.t.Errorf("unexpected call: %s", key)
		return Result{Code: 99, Stderr: []byte("unexpected call\n")}
	}
	r := rs[0]
	if len(rs) > 1 {
		f.replies[key] = rs[1:]
	}
	return r
}

func (f *fakeReal) Run(tool Tool, args []string) Result {
	key := string(tool) + " " + strings.Join(args, " ")
	f.calls = append(f.calls, key)
	return f.reply(key)
}

func (f *fakeReal) Pass(tool Tool, args []string) int {
	key := "exec " + string(tool) + " " + strings.Join(args, " ")
	f.calls = append(f.calls, key)
	return f.reply(key).Code
}

type outcome struct {
	stdout, stderr string
	code           int
	sleeps         []time.Duration
}

func runShim(f *fakeReal, tool string, args ...string) outcome {
	var stdout, stderr bytes.Buffer
	var o outcome
	s := &Shim{Real: f, Stdout: &stdout, Stderr: &stderr, Sleep: func(d time.Duration) { o.sleeps = append(o.sleeps, d) }}
	o.code = s.Main(tool, args)
	o.stdout, o.stderr = stdout.String(), stderr.String()
	return o
}

func ok(stdout string) Result { return Result{Stdout: []byte(stdout)} }

func fail(code int, stderr string) Result { return Result{Code: code, Stderr: []byte(stderr)} }

// getRows renders zfs-fuse `get -H -o name,property,value,source`
// output: each dataset is "NAME" followed by prop=value[=source] words.
func getRows(datasets ...[]string) string {
	var b strings.Builder
	for _, d := range datasets {
		for _, pv := range d[1:] {
			parts := strings.SplitN(pv, "=", 3)
			src := "-"
			if len(parts) == 3 {
				src = parts[2]
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", d[0], parts[0], parts[1], src)
		}
	}
	return b.String()
}

// getRowsReceived is getRows with a received column of "-".
func getRowsReceived(datasets ...[]string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(getRows(datasets...), "\n"), "\n") {
		i := strings.LastIndexByte(line, '\t')
		b.WriteString(line[:i] + "\t-" + line[i:] + "\n")
	}
	return b.String()
}

func (f *fakeReal) wantCalls(t *testing.T, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(f.calls, want) {
		t.Errorf("calls:\n  %s\nwant:\n  %s", strings.Join(f.calls, "\n  "), strings.Join(want, "\n  "))
	}
}

func (o outcome) want(t *testing.T, stdout, stderr string, code int) {
	t.Helper()
	if o.stdout != stdout {
		t.Errorf("stdout:\n%s\nwant:\n%s", o.stdout, stdout)
	}
	if o.stderr != stderr {
		t.Errorf("stderr:\n%s\nwant:\n%s", o.stderr, stderr)
	}
	if o.code != code {
		t.Errorf("exit status %d, want %d", o.code, code)
	}
}

func TestParseOpts(t *testing.T) {
	spec := optSpec{bools: "rHp", withArg: "dostS"}
	tests := []struct {
		args     []string
		opts     []opt
		operands []string
		err      bool
	}{
		{[]string{"-rHp", "-t", "all", "-o", "name,used", "tank"},
			[]opt{{name: 'r'}, {name: 'H'}, {name: 'p'}, {'t', "all", true}, {'o', "name,used", true}}, []string{"tank"}, false},
		{[]string{"-Hponame", "tank", "-r"},
			[]opt{{name: 'H'}, {name: 'p'}, {'o', "name", true}, {name: 'r'}}, []string{"tank"}, false},
		{[]string{"-d", "1", "--", "-weird"}, []opt{{'d', "1", true}}, []string{"-weird"}, false},
		{[]string{"-j"}, nil, nil, true},
		{[]string{"--json"}, nil, nil, true},
		{[]string{"-o"}, nil, nil, true},
		{[]string{"-", "tank"}, nil, []string{"-", "tank"}, false},
	}
	for _, tt := range tests {
		p, err := parseOpts(tt.args, spec)
		if (err != nil) != tt.err {
			t.Errorf("parseOpts(%q) error %v, want error %v", tt.args, err, tt.err)
			continue
		}
		if !reflect.DeepEqual(p.opts, tt.opts) || !reflect.DeepEqual(p.operands, tt.operands) {
			t.Errorf("parseOpts(%q) = %v %q, want %v %q", tt.args, p.opts, p.operands, tt.opts, tt.operands)
		}
	}
}

// goZFSProps is the column list go-zfs v3 asks `zfs list` for.
const goZFSProps = "name,origin,used,available,mountpoint,compression,type,volsize,quota,referenced,written,logicalused,usedbydataset"

// goZFSReal is the property list the shim asks zfs-fuse for instead.
const goZFSReal = "type,origin,used,available,mountpoint,compression,jcage.zfsshim:compression,type,volsize,quota,referenced,usedbydataset"

func goZFSDataset(name, typ, origin, used, avail, mnt, comp, shadow, refer string) []string {
	return []string{name, "type=" + typ, "origin=" + origin, "used=" + used, "available=" + avail,
		"mountpoint=" + mnt, "compression=" + comp + "=local", "jcage.zfsshim:compression=" + shadow,
		"type=" + typ, "volsize=-", "quota=0", "referenced=" + refer, "usedbydataset=" + refer}
}

func TestListParsableAsGoZFSAsks(t *testing.T) {
	f := newFake(t).on("zfs get -H -p -o name,property,value,source -r "+goZFSReal+" tank/iocage", ok(getRows(
		goZFSDataset("tank/iocage", "filesystem", "-", "1048576", "5000000", "/tank/iocage", "on", "lz4", "98304"),
		goZFSDataset("tank/iocage@s1", "snapshot", "-", "0", "-", "-", "on", "lz4", "98304"),
		goZFSDataset("tank/iocage/jails", "filesystem", "tank/iocage@s1", "65536", "5000000", "/tank/iocage/jails", "on", "on", "65536"),
	)))
	o := runShim(f, "zfs", "list", "-rHp", "-t", "all", "-o", goZFSProps, "tank/iocage")
	o.want(t,
		"tank/iocage\t-\t1048576\t5000000\t/tank/iocage\tlz4\tfilesystem\t-\t0\t98304\t-\t-\t98304\n"+
			"tank/iocage@s1\t-\t0\t-\t-\tlz4\tsnapshot\t-\t0\t98304\t-\t-\t98304\n"+
			"tank/iocage/jails\ttank/iocage@s1\t65536\t5000000\t/tank/iocage/jails\ton\tfilesystem\t-\t0\t65536\t-\t-\t65536\n",
		"", 0)
}

func TestListFiltersTypes(t *testing.T) {
	rows := getRows(
		[]string{"tank/a", "type=filesystem", "used=10"},
		[]string{"tank/a@s", "type=snapshot", "used=0"},
		[]string{"tank/a/b", "type=filesystem", "used=5"},
	)
	f := newFake(t).on("zfs get -H -p -o name,property,value,source -r type,used tank/a", ok(rows))
	runShim(f, "zfs", "list", "-rHp", "-t", "snapshot", "-o", "name,used", "tank/a").want(t, "tank/a@s\t0\n", "", 0)

	f = newFake(t).on("zfs get -H -p -o name,property,value,source -r type,used tank/a", ok(rows))
	runShim(f, "zfs", "list", "-Hp", "-r", "-o", "name,used", "tank/a").want(t, "tank/a\t10\ntank/a/b\t5\n", "", 0)

	f = newFake(t).on("zfs get -H -p -o name,property,value,source -r type,used tank/a", ok(rows))
	runShim(f, "zfs", "list", "-Hp", "-r", "-t", "filesystem,snap", "-o", "name,used", "tank/a").
		want(t, "tank/a\t10\ntank/a@s\t0\ntank/a/b\t5\n", "", 0)
}

func TestListSnapshotsOfFilesystem(t *testing.T) {
	// OpenZFS reads `list -t snapshot FS` as FS's own snapshots;
	// zfs-fuse refuses FS instead.
	f := newFake(t).on("zfs get -H -o name,property,value,source -d 1 type tank/a", ok(getRows(
		[]string{"tank/a", "type=filesystem"},
		[]string{"tank/a@s1", "type=snapshot"},
		[]string{"tank/a@s2", "type=snapshot"},
		[]string{"tank/a/b", "type=filesystem"},
	)))
	runShim(f, "zfs", "list", "-H", "-t", "snapshot", "-o", "name", "tank/a").want(t, "tank/a@s1\ntank/a@s2\n", "", 0)
}

func TestListExplicitDatasetOfOtherType(t *testing.T) {
	f := newFake(t).on("zfs get -H -p -o name,property,value,source type tank/a@s", ok(getRows(
		[]string{"tank/a@s", "type=snapshot"},
	)))
	runShim(f, "zfs", "list", "-Hp", "-t", "filesystem", "-o", "name", "tank/a@s").
		want(t, "", "cannot open 'tank/a@s': operation not applicable to datasets of this type\n", 1)
}

func TestListSorts(t *testing.T) {
	f := newFake(t).on("zfs get -H -o name,property,value,source -r type,used,used tank", ok(getRows(
		[]string{"tank", "type=filesystem", "used=1.5M", "used=1.5M"},
		[]string{"tank/a", "type=filesystem", "used=512K", "used=512K"},
		[]string{"tank/b", "type=filesystem", "used=2G", "used=2G"},
		[]string{"tank/c", "type=filesystem", "used=512K", "used=512K"},
	)))
	runShim(f, "zfs", "list", "-H", "-r", "-o", "name,used,written", "-s", "used", "-S", "name", "tank").
		want(t, "tank/c\t512K\t-\ntank/a\t512K\t-\ntank\t1.5M\t-\ntank/b\t2G\t-\n", "", 0)
}

func TestListHumanTable(t *testing.T) {
	f := newFake(t).on("zfs get -H -o name,property,value,source -r type,used,mountpoint tank", ok(getRows(
		[]string{"tank", "type=filesystem", "used=1.5M", "mountpoint=/tank"},
		[]string{"tank/jails", "type=filesystem", "used=512K", "mountpoint=/tank/jails"},
	)))
	runShim(f, "zfs", "list", "-r", "-o", "name,used,written,mountpoint", "tank").want(t,
		"NAME        USED  WRITTEN  MOUNTPOINT\n"+
			"tank        1.5M        -  /tank\n"+
			"tank/jails  512K        -  /tank/jails\n", "", 0)

	f = newFake(t).on("zfs get -H -p -o name,property,value,source -r type,used tank", ok(getRows(
		[]string{"tank", "type=filesystem", "used=1"},
	)))
	runShim(f, "zfs", "list", "-p", "-r", "-t", "snapshot", "-o", "name,used", "tank").want(t, "", "no datasets available\n", 0)
}

func TestListMissingDataset(t *testing.T) {
	f := newFake(t).on("zfs get -H -p -o name,property,value,source type,used tank/nope tank", Result{
		Stdout: []byte(getRows([]string{"tank", "type=filesystem", "used=7"})),
		Stderr: []byte("cannot open 'tank/nope': dataset does not exist\n"),
		Code:   1,
	})
	runShim(f, "zfs", "list", "-Hp", "-o", "name,used", "tank/nope", "tank").
		want(t, "tank\t7\n", "cannot open 'tank/nope': dataset does not exist\n", 1)
}

func TestListPassesThrough(t *testing.T) {
	for _, args := range [][]string{
		{"list", "-H", "-o", "name", "-r", "tank"},
		{"list", "-rH", "-t", "snapshot", "-o", "name,used", "tank"},
		{"list", "-t", "fs", "tank"}, // OpenZFS refuses "fs" as well
		{"list", "-j", "tank"},
	} {
		f := newFake(t).on("exec zfs "+strings.Join(args, " "), fail(2, ""))
		runShim(f, "zfs", args...).want(t, "", "", 2)
		f.wantCalls(t, "exec zfs "+strings.Join(args, " "))
	}
}

func TestListNoDatasetsGoesToStderr(t *testing.T) {
	f := newFake(t).on("zfs list -t snapshot -r tank", ok("no datasets available\n"))
	runShim(f, "zfs", "list", "-t", "snapshot", "-r", "tank").want(t, "", "no datasets available\n", 0)
}

func TestGetFiltersTypes(t *testing.T) {
	f := newFake(t).on("zfs get -H -p -o name,property,value,source -r type,used,org.freebsd.ioc:active tank/iocage", ok(getRows(
		[]string{"tank/iocage", "type=filesystem", "used=100", "org.freebsd.ioc:active=yes=local"},
		[]string{"tank/iocage@s", "type=snapshot", "used=0", "org.freebsd.ioc:active=yes=inherited from tank/iocage"},
		[]string{"tank/iocage/jails", "type=filesystem", "used=50", "org.freebsd.ioc:active=yes=inherited from tank/iocage"},
	)))
	runShim(f, "zfs", "get", "-H", "-p", "-o", "name,property,value,source", "-r", "-t", "filesystem", "used,org.freebsd.ioc:active", "tank/iocage").want(t,
		"tank/iocage\tused\t100\t-\n"+
			"tank/iocage\torg.freebsd.ioc:active\tyes\tlocal\n"+
			"tank/iocage/jails\tused\t50\t-\n"+
			"tank/iocage/jails\torg.freebsd.ioc:active\tyes\tinherited from tank/iocage\n",
		"", 0)
}

func TestGetSnapshotsOfFilesystem(t *testing.T) {
	f := newFake(t).on("zfs get -H -o name,property,value,source -d 1 type,used tank/a", ok(getRows(
		[]string{"tank/a", "type=filesystem", "used=1K"},
		[]string{"tank/a@s1", "type=snapshot", "used=0"},
	)))
	runShim(f, "zfs", "get", "-H", "-t", "snapshot", "-o", "name,value", "used", "tank/a").want(t, "tank/a@s1\t0\n", "", 0)
}

func TestGetEmulatedProperties(t *testing.T) {
	f := newFake(t).on("zfs get -H -p -o name,property,value,received,source type,jcage.zfsshim:sync,zoned,compression,jcage.zfsshim:compression,compressratio tank/a tank/a@s", ok(getRowsReceived(
		[]string{"tank/a", "type=filesystem", "jcage.zfsshim:sync=disabled=local", "zoned=on=local", "compression=on=local", "jcage.zfsshim:compression=zstd=local", "compressratio=1.50x"},
		[]string{"tank/a@s", "type=snapshot", "jcage.zfsshim:sync=-", "zoned=-", "compression=on", "jcage.zfsshim:compression=-", "compressratio=1.00x"},
	)))
	runShim(f, "zfs", "get", "-H", "-p", "-o", "all", "written,lused,sync,jailed,compress,compressratio", "tank/a", "tank/a@s").want(t,
		"tank/a\twritten\t-\t-\t-\n"+
			"tank/a\tlogicalused\t-\t-\t-\n"+
			"tank/a\tsync\tdisabled\t-\tlocal\n"+
			"tank/a\tjailed\ton\t-\tlocal\n"+
			"tank/a\tcompression\tzstd\t-\tlocal\n"+
			"tank/a\tcompressratio\t1.50\t-\t-\n"+
			"tank/a@s\twritten\t-\t-\t-\n"+
			"tank/a@s\tlogicalused\t-\t-\t-\n"+
			"tank/a@s\tsync\tstandard\t-\tdefault\n"+
			"tank/a@s\tjailed\t-\t-\t-\n"+
			"tank/a@s\tcompression\ton\t-\t-\n"+
			"tank/a@s\tcompressratio\t1.00\t-\t-\n",
		"", 0)
}

func TestGetCompressionOnUnderInheritedLZ4(t *testing.T) {
	// An explicit "on" below an lz4 parent stores its own shadow "on".
	f := newFake(t).on("zfs get -H -o name,property,value,source type,compression,jcage.zfsshim:compression tank/a tank/a/b", ok(getRows(
		[]string{"tank/a", "type=filesystem", "compression=on=local", "jcage.zfsshim:compression=lz4=local"},
		[]string{"tank/a/b", "type=filesystem", "compression=on=local", "jcage.zfsshim:compression=on=local"},
	)))
	runShim(f, "zfs", "get", "-H", "-o", "name,value", "compression", "tank/a", "tank/a/b").want(t, "tank/a\tlz4\ntank/a/b\ton\n", "", 0)
}

func TestGetAll(t *testing.T) {
	f := newFake(t).on("zfs get -H -p -o name,property,value,source all tank/j", ok(getRows(
		[]string{"tank/j", "type=filesystem", "used=100", "compression=on=local", "zoned=off=default", "compressratio=1.00x",
			"org.freebsd.ioc:active=yes=local", "jcage.zfsshim:compression=lz4=local", "jcage.zfsshim:sync=always=inherited from tank"},
	)))
	o := runShim(f, "zfs", "get", "-H", "-p", "-o", "property,value,source", "all", "tank/j")
	want := "type\tfilesystem\t-\nused\t100\t-\ncompression\tlz4\tlocal\njailed\toff\tdefault\ncompressratio\t1.00\t-\n"
	if !strings.HasPrefix(o.stdout, want) {
		t.Fatalf("stdout starts:\n%s\nwant:\n%s", o.stdout, want)
	}
	for _, line := range []string{"written\t-\t-\n", "logicalused\t-\t-\n", "sync\talways\tinherited from tank\n", "dnodesize\tlegacy\tdefault\n"} {
		if !strings.Contains(o.stdout, line) {
			t.Errorf("stdout lacks %q:\n%s", line, o.stdout)
		}
	}
	if strings.Contains(o.stdout, shadowPrefix) {
		t.Errorf("stdout shows a shadow property:\n%s", o.stdout)
	}
	if !strings.HasSuffix(o.stdout, "org.freebsd.ioc:active\tyes\tlocal\n") {
		t.Errorf("user properties don't come last:\n%s", o.stdout)
	}

	f = newFake(t).on("zfs get -H -o name,property,value,source all tank/j", ok(getRows(
		[]string{"tank/j", "type=filesystem", "compression=off=default", "atime=off=local", "org.freebsd.ioc:active=yes=local"},
	)))
	runShim(f, "zfs", "get", "-H", "-s", "local", "all", "tank/j").
		want(t, "tank/j\tatime\toff\tlocal\ntank/j\torg.freebsd.ioc:active\tyes\tlocal\n", "", 0)
}

func TestGetHumanTable(t *testing.T) {
	f := newFake(t).on("zfs get -H -o name,property,value,source type,used tank", ok(getRows(
		[]string{"tank", "type=filesystem", "used=1.5M"},
	)))
	runShim(f, "zfs", "get", "written,used", "tank").want(t,
		"NAME  PROPERTY  VALUE  SOURCE\n"+
			"tank  written   -      -\n"+
			"tank  used      1.5M   -\n", "", 0)
}

func TestGetErrors(t *testing.T) {
	usage := "bad property list: invalid property 'nope'\nusage:\n"
	f := newFake(t).on("zfs get -H -o name,property,value,source type,nope tank", fail(2, usage))
	runShim(f, "zfs", "get", "nope,written", "tank").want(t, "", usage, 2)

	f = newFake(t).on("zfs get -H -o name,property,value,source type tank/x tank", Result{
		Stdout: []byte(getRows([]string{"tank", "type=filesystem"})),
		Stderr: []byte("cannot open 'tank/x': dataset does not exist\n"),
		Code:   1,
	})
	runShim(f, "zfs", "get", "-H", "written", "tank/x", "tank").
		want(t, "tank\twritten\t-\t-\n", "cannot open 'tank/x': dataset does not exist\n", 1)
}

func TestGetPassesThrough(t *testing.T) {
	for _, args := range [][]string{
		{"get", "-H", "-p", "-o", "name,property,value", "used,available", "tank", "tank/a"},
		{"get", "-H", "-o", "value", "mounted", "tank/a"},
		{"get", "-Hp", "org.freebsd.ioc:active", "tank"},
		{"get", "-H", "-o", "all", "mountpoint", "tank"},
	} {
		f := newFake(t).on("exec zfs "+strings.Join(args, " "), ok(""))
		runShim(f, "zfs", args...).want(t, "", "", 0)
		f.wantCalls(t, "exec zfs "+strings.Join(args, " "))
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		args  []string
		calls []string
	}{
		{[]string{"set", "org.freebsd.ioc:active=yes", "tank"}, []string{"exec zfs set org.freebsd.ioc:active=yes tank"}},
		{[]string{"set", "atime=off", "exec=off", "tank/a", "tank/b"}, []string{"zfs set atime=off tank/a tank/b", "zfs set exec=off tank/a tank/b"}},
		{[]string{"set", "compression=lz4", "tank"}, []string{"zfs set compression=on tank", "zfs set jcage.zfsshim:compression=lz4 tank"}},
		{[]string{"set", "compression=on", "tank"}, []string{"zfs set compression=on tank", "zfs set jcage.zfsshim:compression=on tank"}},
		{[]string{"set", "compress=gzip-9", "tank"}, []string{"zfs set compression=gzip-9 tank"}},
		{[]string{"set", "jailed=on", "tank/j"}, []string{"zfs set zoned=on tank/j"}},
		{[]string{"set", "sync=disabled", "tank"}, []string{"zfs set jcage.zfsshim:sync=disabled tank"}},
		{[]string{"set", "-u", "mountpoint=/x", "tank"}, []string{"zfs set mountpoint=/x tank"}},
	}
	for _, tt := range tests {
		f := newFake(t)
		for _, c := range tt.calls {
			f.on(c, ok(""))
		}
		runShim(f, "zfs", tt.args...).want(t, "", "", 0)
		f.wantCalls(t, tt.calls...)
	}

	f := newFake(t).on("zfs set atime=bogus tank", fail(1, "cannot set property for 'tank': 'atime' must be one of 'on | off'\n"))
	runShim(f, "zfs", "set", "atime=bogus", "exec=off", "tank").
		want(t, "", "cannot set property for 'tank': 'atime' must be one of 'on | off'\n", 1)
}

func TestInherit(t *testing.T) {
	f := newFake(t).on("zfs inherit -r compression tank/a", ok("")).on("zfs inherit -r jcage.zfsshim:compression tank/a", ok(""))
	runShim(f, "zfs", "inherit", "-r", "compression", "tank/a").want(t, "", "", 0)
	f.wantCalls(t, "zfs inherit -r compression tank/a", "zfs inherit -r jcage.zfsshim:compression tank/a")

	for call, args := range map[string][]string{
		"exec zfs inherit zoned tank/j":                      {"inherit", "jailed", "tank/j"},
		"exec zfs inherit jcage.zfsshim:dnodesize tank/j":    {"inherit", "dnodesize", "tank/j"},
		"exec zfs inherit -S org.freebsd.ioc:active tank/j":  {"inherit", "-S", "org.freebsd.ioc:active", "tank/j"},
		"exec zfs inherit -r -S jcage.zfsshim:sync tank/j/x": {"inherit", "-rS", "sync", "tank/j/x"},
	} {
		f := newFake(t).on(call, ok(""))
		runShim(f, "zfs", args...).want(t, "", "", 0)
		f.wantCalls(t, call)
	}
}

func TestCreate(t *testing.T) {
	f := newFake(t).on("zfs create -p -o compression=on -o jcage.zfsshim:compression=lz4 -o org.freebsd.ioc:active=yes tank/iocage/jails", ok(""))
	runShim(f, "zfs", "create", "-p", "-o", "compression=lz4", "-o", "org.freebsd.ioc:active=yes", "tank/iocage/jails").want(t, "", "", 0)

	f = newFake(t).on("zfs create -p tank/a", ok("")).on("zfs umount tank/a", fail(1, "cannot unmount 'tank/a': not currently mounted\n"))
	runShim(f, "zfs", "create", "-pu", "tank/a").want(t, "", "", 0)
	f.wantCalls(t, "zfs create -p tank/a", "zfs umount tank/a")

	f = newFake(t).on("zfs create tank/a", fail(1, "cannot create 'tank/a': dataset already exists\n"))
	runShim(f, "zfs", "create", "-u", "tank/a").want(t, "", "cannot create 'tank/a': dataset already exists\n", 1)
	f.wantCalls(t, "zfs create tank/a")

	f = newFake(t)
	runShim(f, "zfs", "create", "-V", "1G", "tank/vol").want(t, "", "cannot create 'tank/vol': volumes are not supported by zfs-fuse\n", 1)
	f.wantCalls(t)

	f = newFake(t).on("exec zfs create -p -o atime=off tank/a", ok(""))
	runShim(f, "zfs", "create", "-p", "-o", "atime=off", "tank/a").want(t, "", "", 0)
}

func TestCloneAndSnapshot(t *testing.T) {
	f := newFake(t).on("exec zfs clone -p -o compression=on -o jcage.zfsshim:compression=zstd-3 tank/a@s tank/b/c", ok(""))
	runShim(f, "zfs", "clone", "-p", "-o", "compression=zstd-3", "tank/a@s", "tank/b/c").want(t, "", "", 0)

	f = newFake(t).on("exec zfs clone -p tank/a@s tank/b/c", ok(""))
	runShim(f, "zfs", "clone", "-p", "tank/a@s", "tank/b/c").want(t, "", "", 0)

	f = newFake(t).on("exec zfs snapshot -r -o jcage.zfsshim:sync=always tank/a@s", ok(""))
	runShim(f, "zfs", "snapshot", "-r", "-o", "sync=always", "tank/a@s").want(t, "", "", 0)
}

func TestDestroyRetriesBusy(t *testing.T) {
	busy := fail(1, "cannot destroy 'tank/j/root': dataset is busy\n")
	f := newFake(t).
		on("zfs destroy -r tank/j", busy, ok("")).
		on("zfs list -H -o name,mounted -r -t filesystem tank/j/root", ok("tank/j/root\tyes\ntank/j/root/a\tyes\ntank/j/root/b\tno\ntank/j/root/a/c\tyes\n")).
		on("zfs umount tank/j/root/a/c", ok("")).
		on("zfs umount tank/j/root/a", ok("")).
		on("zfs umount tank/j/root", fail(1, "cannot unmount 'tank/j/root': not currently mounted\n"))
	o := runShim(f, "zfs", "destroy", "-r", "tank/j")
	o.want(t, "", "", 0)
	f.wantCalls(t,
		"zfs destroy -r tank/j",
		"zfs list -H -o name,mounted -r -t filesystem tank/j/root",
		"zfs umount tank/j/root/a/c",
		"zfs umount tank/j/root/a",
		"zfs umount tank/j/root",
		"zfs destroy -r tank/j")
	if len(o.sleeps) != 1 {
		t.Errorf("slept %v, want one pause", o.sleeps)
	}

	f = newFake(t).on("zfs destroy tank/j@s", fail(1, "cannot destroy 'tank/j@s': dataset is busy\n"))
	o = runShim(f, "zfs", "destroy", "tank/j@s")
	o.want(t, "", "cannot destroy 'tank/j@s': dataset is busy\n", 1)
	if len(f.calls) != busyAttempts || len(o.sleeps) != busyAttempts-1 {
		t.Errorf("%d calls and %d pauses, want %d and %d", len(f.calls), len(o.sleeps), busyAttempts, busyAttempts-1)
	}
	var total time.Duration
	for _, d := range o.sleeps {
		total += d
	}
	if total < 3*time.Second || total > 40*time.Second {
		t.Errorf("busy retries wait %v in all; want a few seconds", total)
	}

	f = newFake(t).on("zfs destroy tank/j", fail(1, "cannot destroy 'tank/j': filesystem has children\n"))
	runShim(f, "zfs", "destroy", "tank/j").want(t, "", "cannot destroy 'tank/j': filesystem has children\n", 1)
	f.wantCalls(t, "zfs destroy tank/j")
}

func TestSnapshotSeveral(t *testing.T) {
	f := newFake(t).on("zfs snapshot tank/a@s", ok("")).on("zfs snapshot tank/b@s", ok(""))
	runShim(f, "zfs", "snapshot", "tank/a@s", "tank/b@s").want(t, "", "", 0)
	f.wantCalls(t, "zfs snapshot tank/a@s", "zfs snapshot tank/b@s")

	f = newFake(t).
		on("zfs snapshot -r tank/a@s", ok("")).
		on("zfs snapshot -r tank/b@s", fail(1, "cannot create snapshot 'tank/b@s': dataset already exists\n")).
		on("zfs destroy -r tank/a@s", ok(""))
	runShim(f, "zfs", "snapshot", "-r", "tank/a@s", "tank/b@s").
		want(t, "", "cannot create snapshot 'tank/b@s': dataset already exists\nno snapshots were created\n", 1)
	f.wantCalls(t, "zfs snapshot -r tank/a@s", "zfs snapshot -r tank/b@s", "zfs destroy -r tank/a@s")
}

func TestDestroySnapshotLists(t *testing.T) {
	f := newFake(t).
		on("zfs list -H -o name -t snapshot -d 1 tank/a", ok("tank/a@1\ntank/a@2\ntank/a@3\ntank/a@4\n")).
		on("zfs destroy -r tank/a@x", fail(1, "could not find any snapshots to destroy; check snapshot names.\n")).
		on("zfs destroy -r tank/a@2", ok("")).
		on("zfs destroy -r tank/a@3", ok("")).
		on("zfs destroy -r tank/a@4", ok(""))
	runShim(f, "zfs", "destroy", "-r", "tank/a@x,2%3,4").want(t, "", "", 0)
	f.wantCalls(t,
		"zfs list -H -o name -t snapshot -d 1 tank/a",
		"zfs destroy -r tank/a@x",
		"zfs destroy -r tank/a@2",
		"zfs destroy -r tank/a@3",
		"zfs destroy -r tank/a@4")

	f = newFake(t).
		on("zfs list -H -o name -t snapshot -d 1 tank/a", ok("tank/a@1\ntank/a@2\n")).
		on("zfs destroy tank/a@1", ok("")).
		on("zfs destroy tank/a@2", fail(1, "cannot destroy 'tank/a@2': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\ntank/c\n"))
	runShim(f, "zfs", "destroy", "tank/a@%").want(t, "",
		"cannot destroy 'tank/a@2': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\ntank/c\n", 1)

	f = newFake(t).on("zfs destroy tank/a@x", fail(1, "cannot open 'tank/a@x': dataset does not exist\n")).
		on("zfs destroy tank/a@y", fail(1, "cannot open 'tank/a@y': dataset does not exist\n"))
	runShim(f, "zfs", "destroy", "tank/a@x,y").want(t, "", "could not find any snapshots to destroy; check snapshot names.\n", 1)
}

func TestRename(t *testing.T) {
	// go-zfs puts -p after the names. A busy answer makes the shim
	// unmount the tree itself, rename, and mount it again.
	busy := fail(1, "cannot rename 'tank/a': dataset is busy\n")
	f := newFake(t).
		on("zfs rename -p tank/a tank/x/b", busy, ok("")).
		on("zfs list -H -o name,mounted -r -t filesystem tank/a", ok("tank/a\tyes\ntank/a/c\tyes\ntank/a/d\tno\n")).
		on("zfs umount tank/a/c", ok("")).
		on("zfs umount tank/a", ok("")).
		on("zfs mount tank/x/b", ok("")).
		on("zfs mount tank/x/b/c", ok(""))
	o := runShim(f, "zfs", "rename", "tank/a", "tank/x/b", "-p")
	o.want(t, "", "", 0)
	f.wantCalls(t,
		"zfs rename -p tank/a tank/x/b",
		"zfs list -H -o name,mounted -r -t filesystem tank/a",
		"zfs umount tank/a/c",
		"zfs umount tank/a",
		"zfs rename -p tank/a tank/x/b",
		"zfs mount tank/x/b",
		"zfs mount tank/x/b/c")
	if len(o.sleeps) != 1 {
		t.Errorf("slept %v, want one pause", o.sleeps)
	}

	// With -f a mount held by a process is unmounted by force; a tree
	// that stays busy while unmounted is mounted again (what is still
	// held fails to mount and waits for the next round), and whatever
	// the shim unmounted is mounted under the new name at the end.
	held := fail(1, "umount: /tank/a/c: target is busy.\ncannot unmount '/tank/a/c': umount failed: umount child process failed\n")
	f = newFake(t).
		on("zfs rename tank/a tank/b", held, busy, busy, ok("")).
		on("zfs list -H -o name,mounted -r -t filesystem tank/a",
			ok("tank/a\tyes\ntank/a/c\tyes\n"), ok("tank/a\tno\ntank/a/c\tno\n"), ok("tank/a\tyes\ntank/a/c\tno\n")).
		on("zfs umount -f tank/a/c", ok("")).
		on("zfs umount -f tank/a", ok("")).
		on("zfs umount tank/a", ok("")).
		on("zfs mount tank/a", ok("")).
		on("zfs mount tank/a/c", fail(1, "cannot mount 'tank/a/c': mountpoint or dataset is busy\n")).
		on("zfs mount tank/b", ok("")).
		on("zfs mount tank/b/c", ok(""))
	runShim(f, "zfs", "rename", "-f", "tank/a", "tank/b").want(t, "", "", 0)
	f.wantCalls(t,
		"zfs rename tank/a tank/b",
		"zfs list -H -o name,mounted -r -t filesystem tank/a",
		"zfs umount -f tank/a/c",
		"zfs umount -f tank/a",
		"zfs rename tank/a tank/b",
		"zfs list -H -o name,mounted -r -t filesystem tank/a",
		"zfs mount tank/a",
		"zfs mount tank/a/c",
		"zfs rename tank/a tank/b",
		"zfs list -H -o name,mounted -r -t filesystem tank/a",
		"zfs umount tank/a",
		"zfs rename tank/a tank/b",
		"zfs mount tank/b",
		"zfs mount tank/b/c")

	// Without -f a mount held by a process stays an error, as on OpenZFS;
	// -u is dropped.
	f = newFake(t).on("zfs rename tank/a@s tank/a@t", held)
	runShim(f, "zfs", "rename", "tank/a@s", "tank/a@t", "-u").want(t, "", string(held.Stderr), 1)

	// Giving up mounts again what the shim unmounted, under the old name.
	f = newFake(t).
		on("zfs rename tank/a tank/b", busy).
		on("zfs list -H -o name,mounted -r -t filesystem tank/a", ok("tank/a\tyes\n"), ok("tank/a\tno\n")).
		on("zfs umount tank/a", ok("")).
		on("zfs mount tank/a", fail(1, "cannot mount 'tank/a': mountpoint or dataset is busy\n"))
	runShim(f, "zfs", "rename", "tank/a", "tank/b").want(t, "", string(busy.Stderr), 1)
	if last := f.calls[len(f.calls)-1]; last != "zfs mount tank/a" {
		t.Errorf("last call %q, want the tree mounted again", last)
	}
}

func TestRollbackAndPromoteRetry(t *testing.T) {
	f := newFake(t).on("zfs rollback -r tank/a@s", fail(1, "cannot rollback 'tank/a': dataset is busy\n"), ok(""))
	runShim(f, "zfs", "rollback", "-r", "tank/a@s").want(t, "", "", 0)
	f = newFake(t).on("zfs promote tank/c", ok(""))
	runShim(f, "zfs", "promote", "tank/c").want(t, "", "", 0)
}

func TestSend(t *testing.T) {
	f := newFake(t).on("exec zfs send -R -i tank/a@1 tank/a@2", ok(""))
	runShim(f, "zfs", "send", "-LecR", "-i", "tank/a@1", "tank/a@2").want(t, "", "", 0)
	f = newFake(t).on("exec zfs send -R tank/a@2", ok(""))
	runShim(f, "zfs", "send", "-R", "tank/a@2").want(t, "", "", 0)
	f = newFake(t).on("exec zfs receive -F tank/b", ok(""))
	runShim(f, "zfs", "receive", "-F", "tank/b").want(t, "", "", 0)
}

const zpoolGetTable = `NAME    PROPERTY    VALUE   SOURCE
tank    name        tank    -
tank    health      ONLINE  -
tank    allocated   7.80M   -
tank    size        504M    -
tank    free        496M    -
tank    dedupratio  1.00x   -
`

func TestZpoolGetAsGoZFSAsks(t *testing.T) {
	f := newFake(t).on("zpool get name,health,allocated,size,free,dedupratio tank", ok(zpoolGetTable))
	runShim(f, "zpool", "get", "-Hp", "name,health,allocated,size,free,readonly,dedupratio,fragmentation,freeing,leaked", "tank").want(t,
		"tank\tname\ttank\t-\n"+
			"tank\thealth\tONLINE\t-\n"+
			"tank\tallocated\t8178893\t-\n"+
			"tank\tsize\t528482304\t-\n"+
			"tank\tfree\t520093696\t-\n"+
			"tank\treadonly\toff\t-\n"+
			"tank\tdedupratio\t1.00\t-\n"+
			"tank\tfragmentation\t-\t-\n"+
			"tank\tfreeing\t0\t-\n"+
			"tank\tleaked\t0\t-\n",
		"", 0)

	f = newFake(t).on("zpool get name,altroot tank", ok("NAME  PROPERTY  VALUE  SOURCE\ntank  name      tank   -\ntank  altroot   /mnt/x y  default\n"))
	runShim(f, "zpool", "get", "-H", "-o", "value", "altroot", "tank").want(t, "/mnt/x y\n", "", 0)

	f = newFake(t).on("zpool get name,health nope", fail(1, "cannot open 'nope': no such pool\n"))
	runShim(f, "zpool", "get", "-H", "health", "nope").want(t, "", "cannot open 'nope': no such pool\n", 1)

	f = newFake(t).on("exec zpool get health tank", ok(""))
	runShim(f, "zpool", "get", "health", "tank").want(t, "", "", 0)
}

func TestZpoolList(t *testing.T) {
	f := newFake(t).on("zpool list -H -o name,size,allocated,free,capacity,dedupratio,health,altroot", ok("tank\t504M\t7.80M\t496M\t1%\t1.00x\tONLINE\t-\n"))
	runShim(f, "zpool", "list", "-Hp").want(t, "tank\t528482304\t8178893\t520093696\t-\t-\t-\t1\t1.00\tONLINE\t-\n", "", 0)

	f = newFake(t).on("zpool list -H -o name,health", ok("tank\tONLINE\n"))
	runShim(f, "zpool", "list", "-o", "name,health,frag").want(t, "NAME  HEALTH  FRAG\ntank  ONLINE     -\n", "", 0)

	for _, args := range [][]string{{"list", "-Ho", "name"}, {"list", "-H", "-o", "name,health"}, {"list"}, {"status", "-x"}} {
		f := newFake(t).on("exec zpool "+strings.Join(args, " "), ok(""))
		runShim(f, "zpool", args...).want(t, "", "", 0)
	}
}

func TestParseHuman(t *testing.T) {
	for in, want := range map[string]uint64{"0": 0, "512": 512, "17.5K": 17920, "504M": 528482304, "6.61M": 6931087, "1.25G": 1342177280, "2T": 2 << 40} {
		if got, ok := parseHuman(in); !ok || got != want {
			t.Errorf("parseHuman(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-", "x", "1.00x", "-5"} {
		if _, ok := parseHuman(in); ok {
			t.Errorf("parseHuman(%q) succeeded", in)
		}
	}
}

func TestUnknownTool(t *testing.T) {
	runShim(newFake(t), "zdb", "-C").want(t, "", "zfsshim: unknown tool \"zdb\" (invoke as zfs or zpool)\n", 2)
}

// BenchmarkListPivot measures the shim's own work for `zfs list -rHp`
// over 1,000 jails (3,000 datasets) with go-zfs's columns: parsing
// zfs-fuse's get output and printing list rows.
func BenchmarkListPivot(b *testing.B) {
	var sets [][]string
	for i := range 1000 {
		for _, suffix := range []string{"", "/root", "@snap"} {
			typ := "filesystem"
			if suffix == "@snap" {
				typ = "snapshot"
			}
			sets = append(sets, goZFSDataset(fmt.Sprintf("tank/iocage/jails/j%04d%s", i, suffix), typ, "-", "123456", "9876543", "/tank/x", "on", "lz4", "98304"))
		}
	}
	out := []byte(getRows(sets...))
	real := &benchReal{out: out}
	s := &Shim{Real: real, Stdout: io.Discard, Stderr: io.Discard}
	b.ResetTimer()
	for b.Loop() {
		if code := s.ZFS([]string{"list", "-rHp", "-t", "all", "-o", goZFSProps, "tank/iocage"}); code != 0 {
			b.Fatal(code)
		}
	}
}

type benchReal struct{ out []byte }

func (r *benchReal) Run(Tool, []string) Result { return Result{Stdout: r.out} }
func (r *benchReal) Pass(Tool, []string) int   { return 0 }

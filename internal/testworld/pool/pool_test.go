package pool

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestNewName(t *testing.T) {
	re := regexp.MustCompile(`^jcagetest[0-9a-f]{6}$`)
	a, b := NewName(), NewName()
	if !re.MatchString(a) || !re.MatchString(b) {
		t.Fatalf("NewName() = %q, %q; want %s", a, b, re)
	}
	if a == b {
		t.Errorf("NewName() returned %q twice", a)
	}
}

func TestCreateRefusesNamesWithoutPrefix(t *testing.T) {
	if _, err := Create("tank"); err == nil || !strings.Contains(err.Error(), Prefix) {
		t.Fatalf("Create(tank) = %v; want a refusal naming %q", err, Prefix)
	}
}

func TestVerdict(t *testing.T) {
	reason := errors.New("the zfs-fuse daemon is not running")
	tests := []struct {
		err        error
		optOut     string
		skip, fail string
	}{
		{nil, "", "", ""},
		{nil, "1", "", ""},
		{reason, "", "", "ZFS system test cannot run: the zfs-fuse daemon is not running; set JCAGE_SKIP_SYSTEM=1 to skip it"},
		{reason, "0", "", "ZFS system test cannot run: the zfs-fuse daemon is not running; set JCAGE_SKIP_SYSTEM=1 to skip it"},
		{reason, "1", "skipping ZFS system test (JCAGE_SKIP_SYSTEM=1): the zfs-fuse daemon is not running", ""},
	}
	for _, tt := range tests {
		skip, fail := verdict(tt.err, tt.optOut)
		if skip != tt.skip || fail != tt.fail {
			t.Errorf("verdict(%v, %q) = %q, %q; want %q, %q", tt.err, tt.optOut, skip, fail, tt.skip, tt.fail)
		}
	}
}

func TestCreateAndDestroy(t *testing.T) {
	Require(t)
	p, err := Create(NewName())
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(RealZFS(), "get", "-H", "-o", "value", "mountpoint,mounted", p.Name)
	if err != nil {
		t.Fatal(err)
	}
	if want := p.Mountpoint + "\nyes\n"; out != want {
		t.Errorf("mountpoint,mounted of %s = %q; want %q", p.Name, out, want)
	}
	if err := p.Destroy(); err != nil {
		t.Fatal(err)
	}
	list, err := run(RealZpool(), "list", "-H", "-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(list, p.Name) {
		t.Errorf("pool %s still listed after Destroy:\n%s", p.Name, list)
	}
	for _, f := range []string{p.Vdev, p.Mountpoint} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind after Destroy (stat: %v)", f, err)
		}
	}
	if err := p.Destroy(); err != nil {
		t.Errorf("second Destroy: %v", err)
	}
}

func TestNewCleansUp(t *testing.T) {
	var p *Pool
	t.Run("use", func(t *testing.T) {
		p = New(t)
		if _, err := run(RealZFS(), "create", p.Name+"/data"); err != nil {
			t.Fatal(err)
		}
	})
	if p == nil {
		return
	}
	list, err := run(RealZpool(), "list", "-H", "-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(list, p.Name) {
		t.Errorf("pool %s still listed after its test ended", p.Name)
	}
}

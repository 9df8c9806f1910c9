package lifecycle

import (
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/jail"
)

func TestKernelLimitsNamed(t *testing.T) {
	long := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63)
	if len(long) != 255 {
		t.Fatal(len(long))
	}
	if _, err := config.Validate("host_hostname", long, config.SetContext{Name: "x"}); err != nil {
		t.Fatalf("255 bytes refused: %v", err)
	}
	for _, key := range []string{"host_hostname", "host_domainname"} {
		_, err := config.Validate(key, long+"e", config.SetContext{Name: "x"})
		if err == nil || !strings.Contains(err.Error(), "is 256 bytes: FreeBSD's limit is 255 (MAXHOSTNAMELEN)") {
			t.Fatalf("%s: %v", key, err)
		}
	}
	dir := "/" + strings.Repeat("p", 1017)
	if err := jail.CheckRootPath(dir); err != nil { // dir + "/root" is 1023 bytes
		t.Fatal(err)
	}
	if err := jail.CheckRootPath(dir + "q"); err == nil || !strings.Contains(err.Error(), "FreeBSD's limit is 1023 (MAXPATHLEN)") {
		t.Fatal(err)
	}
}

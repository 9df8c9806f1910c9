package host

import "testing"

// A build not linked for the test world never reads its variables.
func TestTestWorldGetenvInARelease(t *testing.T) {
	t.Setenv(RusageEnv, "/tmp/x")
	if got := TestWorldGetenv(RusageEnv); got != "" {
		t.Fatalf("TestWorldGetenv = %q in a release build", got)
	}
}

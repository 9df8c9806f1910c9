package host

import "os"

// RusageEnv names the file a test-world build of jcage appends its own
// CPU time to as it exits (see TestWorldGetenv): the benchmarks read it to
// tell jcage's cost from that of the programs it runs.
const RusageEnv = "JCAGE_" + "TESTWORLD_RUSAGE" // read by test-world builds only: not in jcage(8)

// TestWorldGetenv returns the environment variable key in a test-world
// build (one linked with testPathEnv set) and "" in every release build,
// which never reads it.
func TestWorldGetenv(key string) string {
	if testPathEnv == "" {
		return ""
	}
	return os.Getenv(key)
}

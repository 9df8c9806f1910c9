package natsort

// Every test binary takes -update, so that `go test ./... -update` runs.
import _ "github.com/jcage/jcage/internal/testworld/goldenfile"

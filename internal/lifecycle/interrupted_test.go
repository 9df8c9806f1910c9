package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jcage/jcage/internal/host"
)

// An interrupted start keeps both its evidence and its cause: the failing
// step's RunError and the context's error are both found.
func TestInterruptedUnwrapsBoth(t *testing.T) {
	step := &host.RunError{Argv: []string{"jail", "-c"}, ExitCode: 1, Stderr: "jail: boom", Err: errors.New("exit status 1")}
	var err error = &interrupted{fmt.Errorf("web: %w", step), context.Canceled}
	var re *host.RunError
	if !errors.As(err, &re) || re != step {
		t.Fatalf("the step's RunError is hidden: %v", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupt is hidden: %v", err)
	}
	if err.Error() != "web: jail -c: jail: boom" {
		t.Fatalf("message %q", err.Error())
	}
}

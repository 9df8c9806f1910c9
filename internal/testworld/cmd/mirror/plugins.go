package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/jcage/jcage/internal/testworld/mirror"
)

// cmdPlugins serves the plugin index, artifacts and pkg repository and
// prints the index URL (what fetch -P -g takes) as the first line.
func cmdPlugins(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plugins", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	srv, err := mirror.StartPlugins(*addr)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintln(stdout, srv.Index)
	<-ctx.Done()
	return nil
}

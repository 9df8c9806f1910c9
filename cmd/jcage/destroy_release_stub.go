package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// destroyReleasesCmd is `destroy -r`; the release package provides it.
var destroyReleasesCmd = func(c *cli.Context, e *env) error {
	return errors.New("destroy -r: releases cannot be destroyed by this build")
}

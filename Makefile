# jcage: build, test world, demo and benchmarks.
#
#   make            build ./jcage for this machine
#   make test       the whole test suite: unit, fake-backed and system tiers
#   make demo       the whole workflow in the sandbox (zfs-fuse, simulator, mirror)
#   make bench      benchmarks, each printed as a ratio against a floor
#   make check      gofmt, go vet and the FreeBSD cross-builds (and vet of the FreeBSD host tier)
#   make freebsd-check  the FreeBSD host tier, on a FreeBSD host (see the README)
#   make install    install jcage, its rc.d script, man page and completions (FreeBSD)
#   make port-check lint dist/freebsd-port and check its pkg-plist against make install

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
# urfave/cli's man page and markdown writers pull in go-md2man and
# blackfriday, whose tables are built at every start-up; jcage's man page
# is written by hand, so they are left out.
TAGS     := urfave_cli_no_docs
TESTBIN  := $(CURDIR)/.testbin
# Only the test world's jcage takes its PATH from JCAGE_TESTWORLD_PATH
# (internal/host.testPathEnv), and only it can be told to kill itself at a
# point of its journal through JCAGE_TXN_CRASH (internal/txn.crashEnv); a
# release build always runs with the system PATH and never reads the latter.
TESTWORLD_LDFLAGS := -X github.com/jcage/jcage/internal/host.testPathEnv=JCAGE_TESTWORLD_PATH \
	-X github.com/jcage/jcage/internal/txn.crashEnv=JCAGE_TXN_CRASH
PREFIX   ?= /usr/local

export CGO_ENABLED = 0

.PHONY: all build check cross testbin world test test-unit demo bench install port-check clean freebsd-check

all: build

build:
	$(GO) build -trimpath -tags $(TAGS) -ldflags "$(LDFLAGS)" -o jcage ./cmd/jcage

cross:
	GOOS=freebsd GOARCH=amd64 $(GO) build -o /dev/null ./...
	GOOS=freebsd GOARCH=arm64 $(GO) build -o /dev/null ./...

check: cross
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: not formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=freebsd GOARCH=amd64 $(GO) vet -tags freebsd_host ./...

# The test world's binaries: jcage, the FreeBSD-userland simulator linked
# under every tool name, the zfs-fuse compatibility shim (as zfs), the
# loopback release mirror, and a link to the host's own git, which is not
# simulated.
testbin:
	@mkdir -p $(TESTBIN)/path
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS) $(TESTWORLD_LDFLAGS)" -o $(TESTBIN)/jcage ./cmd/jcage
	$(GO) build -o $(TESTBIN)/fbsdsim ./internal/testworld/cmd/fbsdsim
	$(GO) build -o $(TESTBIN)/zfsshim ./internal/testworld/cmd/zfsshim
	$(GO) build -o $(TESTBIN)/mirror ./internal/testworld/cmd/mirror
	$(GO) build -o $(TESTBIN)/bench ./internal/testworld/cmd/bench
	@cd $(TESTBIN)/path && for t in $$(../fbsdsim --list); do ln -sf ../fbsdsim $$t; done && ln -sf ../zfsshim zfs && ln -sf ../zfsshim zpool
	@git=$$(command -v git) || { echo "testbin: no git(1) in PATH: plugins are cloned with the host's own (apt-get install git)" >&2; exit 1; }; \
		ln -sf "$$(readlink -f "$$git")" $(TESTBIN)/path/git

# Real ZFS: installs zfs-fuse when missing (as root), starts the daemon and
# sweeps pools left by earlier runs.
world:
	bash internal/testworld/world-up.sh

# One package at a time: the system tiers of cmd/jcage and the zfs shim
# share the one zfs-fuse daemon, which can wedge on a rename when both
# churn it at once. The world comes first: it installs what testbin links
# (git) on a fresh machine.
test: world testbin
	JCAGE_TESTBIN=$(TESTBIN) $(GO) test -p 1 -count=1 -timeout 40m ./...

# Unit and fake-backed tiers only; the system tier still runs unless
# JCAGE_SKIP_SYSTEM=1 is set.
test-unit:
	$(GO) test -count=1 ./...

demo: world testbin
	JCAGE_TESTBIN=$(TESTBIN) bash internal/testworld/demo.sh

bench: world testbin
	JCAGE_TESTBIN=$(TESTBIN) $(TESTBIN)/bench -ldflags "$(LDFLAGS) $(TESTWORLD_LDFLAGS)"

# The completion scripts come from jcage itself; a cross-built binary
# cannot run here, so they are printed by one built for this machine.
COMPLETION_RUN = GOOS= GOARCH= $(GO) run -tags $(TAGS) ./cmd/jcage

# The FreeBSD host tier: real jails on a scratch pool. Run as root on
# FreeBSD with JCAGE_FREEBSD_POOL, JCAGE_FREEBSD_RELEASE and
# JCAGE_FREEBSD_DIST set (README, "The FreeBSD host tier").
freebsd-check:
	$(GO) test -count=1 -v -tags freebsd_host -timeout 60m -run 'TestFreeBSDHost' ./cmd/jcage/

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/etc/rc.d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0555 jcage $(DESTDIR)$(PREFIX)/bin/jcage
	@if [ -f rc.d/jcage ]; then install -m 0555 rc.d/jcage $(DESTDIR)$(PREFIX)/etc/rc.d/jcage; fi
	@if [ -f jcage.8 ]; then install -m 0444 jcage.8 $(DESTDIR)$(PREFIX)/share/man/man8/jcage.8; fi
	install -d $(DESTDIR)$(PREFIX)/share/doc/jcage
	install -m 0444 docs/json.md $(DESTDIR)$(PREFIX)/share/doc/jcage/json.md
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	$(COMPLETION_RUN) completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/jcage
	$(COMPLETION_RUN) completion zsh >$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_jcage
	$(COMPLETION_RUN) completion fish >$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/jcage.fish
	chmod 0444 $(DESTDIR)$(PREFIX)/share/bash-completion/completions/jcage $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_jcage $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/jcage.fish

# The port's Makefile variables, and its pkg-plist against what install
# installs. make test runs the same test with the rest.
port-check:
	$(GO) test -count=1 ./dist/freebsd-port/

clean:
	rm -rf jcage $(TESTBIN)

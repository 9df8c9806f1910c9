#!/usr/bin/env bash
# world-down.sh: destroy the test pools (names starting with jcagetest) and
# their files after a test run. The zfs-fuse daemon keeps running.
set -euo pipefail
exec "$(dirname "$0")/world-up.sh" --sweep-only

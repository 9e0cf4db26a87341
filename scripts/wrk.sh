#!/bin/sh
# Installs wrk from Debian's packages when it is missing: the live runner's
# capacity benchmark (bench/live_test.go) measures wrk's rate against the
# store's endpoint in the same run, to report pushpull's as a ratio of it.
set -eu
if command -v wrk >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "wrk is missing and this user cannot install it: apt-get install wrk as root" >&2
	exit 1
fi
echo "installing wrk for the live capacity benchmark (apt-get install wrk)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
command -v wrk >/dev/null

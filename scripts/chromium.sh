#!/bin/sh
# Installs Chromium from Debian's packages when it is missing: the report's
# end-to-end test opens report.html in it. Run by make test.
set -eu
if command -v chromium >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "chromium is missing and this user cannot install it: apt-get install chromium as root" >&2
	exit 1
fi
echo "installing chromium for the report's end-to-end test (apt-get install chromium)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
command -v chromium >/dev/null

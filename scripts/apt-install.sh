#!/bin/sh
# Installs a command from Debian's packages when it is missing.
# Usage: apt-install.sh COMMAND WHAT-NEEDS-IT PACKAGE...
set -eu
if [ $# -lt 3 ]; then
	echo "usage: apt-install.sh COMMAND WHAT-NEEDS-IT PACKAGE..." >&2
	exit 2
fi
cmd=$1 why=$2
shift 2
if command -v "$cmd" >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "$cmd is missing and this user cannot install it: apt-get install $* as root" >&2
	exit 1
fi
echo "installing $cmd for $why (apt-get install $*)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
command -v "$cmd" >/dev/null

#!/bin/sh
# Installs wrk from Debian's packages when it is missing: the live runner's
# capacity benchmark (bench/live_test.go) measures wrk's rate against the
# store's endpoint in the same run, to report pushpull's as a ratio of it.
exec sh "$(dirname "$0")/apt-install.sh" wrk "the live capacity benchmark" wrk

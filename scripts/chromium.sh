#!/bin/sh
# Installs Chromium from Debian's packages when it is missing: the report's
# end-to-end test opens report.html in it. Run by make test.
exec sh "$(dirname "$0")/apt-install.sh" chromium "the report's end-to-end test" chromium fonts-liberation

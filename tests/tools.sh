#!/bin/sh
# The Debian packages the tests drive, installed where missing (as root on Debian), else named:
# Chromium for the browser tests (Playwright cannot download its own here), strace for the output tests'
# fault injection, nginx and Apache for the documented web-server configurations.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v strace >/dev/null 2>&1 || missing="$missing strace"
[ -x /usr/sbin/nginx ] || missing="$missing nginx"
[ -x /usr/sbin/apache2 ] || missing="$missing apache2"
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Für die Tests fehlen die Debian-Pakete:$missing (sudo apt-get install$missing)" >&2
  exit 1
fi
# The web servers are not started by their packages (nginx and Apache would both want port 80); the tests
# start their own on loopback.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  made_policy=1
fi
export DEBIAN_FRONTEND=noninteractive
status=0
# shellcheck disable=SC2086 # the package names are separate words
{ apt-get update -qq && apt-get install -y -qq $missing; } || status=$?
[ "$made_policy" = 0 ] || rm -f "$policy"
exit "$status"

#!/bin/sh
# Installed by deploy/install.sh as /usr/local/bin/facetag: the command line of the facetag
# service in /opt/facetag, run with the node the unit runs. Use it as the service's user, so that
# it can read the data and anything it writes stays the daemon's:
#   sudo -u facetag facetag status
# It looks for the data where the service keeps it: the unit's StateDirectory= reaches the daemon
# as $STATE_DIRECTORY, the default data folder, and this sets the same default here. --data-dir,
# FACETAG_DATA_DIR and the dataDir of a --config file still win over it, as in the daemon.
set -eu
: "${STATE_DIRECTORY:=/var/lib/facetag}"
export STATE_DIRECTORY
exec /usr/bin/node /opt/facetag/dist/src/cli.js "$@"

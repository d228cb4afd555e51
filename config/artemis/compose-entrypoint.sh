#!/bin/sh
# docker-compose's Artemis: the image's own start (/docker-run.sh: `artemis create` on the instance volume's first
# start, as the admin user ARTEMIS_USER, and etc-override copied into etc), then Kanaal's users kanaal and erp
# (config/artemis/add-users.sh, passwords from the environment), then the broker with the given arguments.
set -e
/docker-run.sh version > /dev/null
/opt/kanaal/add-users.sh /var/lib/artemis-instance
exec /var/lib/artemis-instance/bin/artemis "$@"

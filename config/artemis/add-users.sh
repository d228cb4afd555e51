#!/bin/sh
# Adds Kanaal's broker users to an Artemis instance made by `artemis create` (whose own user is the admin):
#   kanaal (role kanaal) with KANAAL_BROKER_PASSWORD, erp (role erp) with KANAAL_BROKER_ERP_PASSWORD.
# Their rights are in config/artemis/security.properties. Usage: add-users.sh <instance dir>; run again, it
# sets the passwords anew. Plain-text passwords in a file only the broker's user reads (mode 600).
set -eu
etc="$1/etc"
: "${KANAAL_BROKER_PASSWORD:?set KANAAL_BROKER_PASSWORD}"
: "${KANAAL_BROKER_ERP_PASSWORD:?set KANAAL_BROKER_ERP_PASSWORD}"
for file in artemis-users.properties artemis-roles.properties; do
  grep -v -E '^(kanaal|erp) *=' "$etc/$file" > "$etc/$file.new" || true
  mv "$etc/$file.new" "$etc/$file"
  chmod 600 "$etc/$file"
done
printf 'kanaal = %s\nerp = %s\n' "$KANAAL_BROKER_PASSWORD" "$KANAAL_BROKER_ERP_PASSWORD" >> "$etc/artemis-users.properties"
printf 'kanaal = kanaal\nerp = erp\n' >> "$etc/artemis-roles.properties"

#!/bin/sh
# Run once by the postgres image when its data volume is new (/docker-entrypoint-initdb.d): Kanaal's own role,
# not a superuser, owning the database kanaal and its schema. The superuser (POSTGRES_USER) is for administrators.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v password="$KANAAL_DB_PASSWORD" <<'SQL'
CREATE ROLE kanaal LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'password';
ALTER DATABASE kanaal OWNER TO kanaal;
ALTER SCHEMA public OWNER TO kanaal;
SQL

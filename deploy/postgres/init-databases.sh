#!/bin/sh
# One database per service, each owned by a role of the same name that can log in to it and
# to nothing else (each service owns its tables; none reads another's database). Run by the
# postgres image's entrypoint as POSTGRES_USER, once, when the data directory is empty; the
# services' Alembic migrations create the tables at start-up, as their own role. The
# passwords come from UNITS_DB_PASSWORD, DISCLOSURE_DB_PASSWORD, ... (docker-compose.yml).
# Keep this list in step with the *_DATABASE_URL settings there (tests/test_deploy.py checks it).
set -eu
for service in units disclosure feedback notify supervision; do
  variable="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="$(printenv "$variable" || true)"
  if [ -z "$password" ]; then
    echo "init-databases: $variable is not set" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v role="$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"role" TO :"role";
SQL
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$service" -v role="$service" <<'SQL'
ALTER SCHEMA public OWNER TO :"role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
done

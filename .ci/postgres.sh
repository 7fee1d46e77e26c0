#!/usr/bin/env bash
# A local PostgreSQL for the storage tests, on a Debian machine, as root.
#
# Installs PostgreSQL when pg_ctlcluster is missing, starts the cluster, creates the role
# `docgen` (password `docgen`, CREATEDB: the tests create and drop one database per test)
# if it does not exist yet, and prints the TEST_DATABASE_URL to use. Safe to run again.
#
#   TEST_DATABASE_URL=$(bash .ci/postgres.sh | tail -n 1)   # the URL alone on stdout, progress on stderr
#   source .ci/postgres.sh                                 # the same, and exports TEST_DATABASE_URL

_docgen_pg_setup() (
    set -euo pipefail
    role=docgen
    password=docgen
    log() { echo "postgres.sh: $*" >&2; }

    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        log "installing PostgreSQL"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends postgresql >&2
    fi

    # the first cluster Debian made (e.g. "15 main 5432 down ...")
    read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1) || true
    if [ -z "${version:-}" ]; then
        version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
        cluster=main
        log "creating cluster $version/$cluster"
        pg_createcluster "$version" "$cluster" >&2
        read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
    fi
    if [ "$status" != "online" ]; then
        log "starting cluster $version/$cluster"
        pg_ctlcluster "$version" "$cluster" start >&2
    fi
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p "$port" && break
        sleep 1
    done
    pg_isready -q -h 127.0.0.1 -p "$port" || { log "PostgreSQL does not answer on port $port"; exit 1; }

    psql_admin() { su postgres -s /bin/sh -c "psql -X -q -v ON_ERROR_STOP=1 -p $port $*" >&2; }
    psql_admin "-c \"DO \\\$\\\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
            CREATE ROLE $role LOGIN PASSWORD '$password' CREATEDB;
        ELSE
            ALTER ROLE $role LOGIN PASSWORD '$password' CREATEDB;
        END IF;
    END \\\$\\\$;\""
    # DROP DATABASE ... WITH (FORCE) after a test ends the sessions still on it, autovacuum's
    # among them (no role of its own): without this the drop fails at random under load
    psql_admin "-c \"GRANT pg_signal_backend TO $role;\""
    echo "postgresql+psycopg://$role:$password@127.0.0.1:$port/postgres"
)

_docgen_pg_url=""
if _docgen_pg_url=$(_docgen_pg_setup); then
    export TEST_DATABASE_URL="$_docgen_pg_url"
    echo "$TEST_DATABASE_URL"
    unset _docgen_pg_url
else
    echo "postgres.sh: PostgreSQL setup failed" >&2
    unset _docgen_pg_url
    # `return` when sourced, `exit` when run
    unset -f _docgen_pg_setup
    return 1 2>/dev/null || exit 1
fi
unset -f _docgen_pg_setup

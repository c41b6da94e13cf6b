#!/usr/bin/env bash
# Services CI's tests use: a PostgreSQL server on loopback for the class server's
# tests, and Chromium for its web page's test. Installs what is missing (Debian
# packages), starts PostgreSQL, creates a role and database, and writes
# .ci/services.env with LABRUN_TEST_POSTGRES for .ci/run to export. Safe to run
# again: what exists is kept.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -f .ci/services.env

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 \
  || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "── installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || echo "── WARNING: could not install ${missing[*]}: the tests that need them will say SKIPPED" >&2
fi

if ! command -v pg_lsclusters >/dev/null; then
  echo "── WARNING: no PostgreSQL: the class server's PostgreSQL tests will say SKIPPED" >&2
  exit 0
fi
cluster=$(pg_lsclusters -h | head -1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_createcluster "$version" main >/dev/null || exit 1
  cluster=$(pg_lsclusters -h | head -1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != online ]; then
  pg_ctlcluster "$version" "$name" start || { echo "── WARNING: PostgreSQL $version/$name did not start" >&2; exit 1; }
fi
as_postgres() { su postgres -c "$1" 2>&1 || runuser -u postgres -- sh -c "$1"; }
as_postgres "psql -p $port -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='labrun'\"" | grep -q 1 \
  || as_postgres "psql -p $port -qc \"CREATE ROLE labrun LOGIN PASSWORD 'labrun' CREATEDB\""
as_postgres "psql -p $port -qtAc \"SELECT 1 FROM pg_database WHERE datname='labrun_test'\"" | grep -q 1 \
  || as_postgres "createdb -p $port -O labrun labrun_test"
url="postgres://labrun:labrun@127.0.0.1:$port/labrun_test"
if PGPASSWORD=labrun psql -h 127.0.0.1 -p "$port" -U labrun labrun_test -qtAc 'SELECT 1' >/dev/null; then
  echo "LABRUN_TEST_POSTGRES=$url" > .ci/services.env
  echo "── PostgreSQL $version on port $port: LABRUN_TEST_POSTGRES=$url"
else
  echo "── WARNING: PostgreSQL runs but labrun_test is not reachable: its tests will say SKIPPED" >&2
fi

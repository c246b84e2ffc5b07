#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# intake-server as an admin meets it (issue #13): help, the config file, the JSON-only body
# rule, and a backup restored. Real server, real SQLite files, HTTP over 127.0.0.1 with curl.
set -u

: "${INTAKE_SERVER:?INTAKE_SERVER names the intake-server to test}"
work=$(mktemp -d)
server_pid=
cleanup () {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f out ] && sed 's/^/# /' out; }
srv () { "$INTAKE_SERVER" "$@" >out 2>&1; }

# Starts serve in the background with the given arguments and sets $port from what it prints.
start () {
  "$INTAKE_SERVER" serve "$@" >serve.out 2>serve.err &
  server_pid=$!
  port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' serve.out)
    [ -n "$port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat serve.err >&2
  return 1
}
stop () { kill "$server_pid"; wait "$server_pid"; server_pid=; }

echo "1..10"

if srv --help && grep -q '^  serve ' out && grep -q '^  backup --out FILE' out \
   && grep -q '^  device wipe' out; then
  ok "intake-server --help lists every command, status 0"
else
  not_ok "intake-server --help lists every command, status 0"
fi

if srv serve --help && grep -q '^  serve \[--config FILE\]' out && ! grep -q 'device add' out \
   && srv device --help && grep -q 'device add' out && grep -q 'device revoke' out \
   && ! grep -q '^  serve' out \
   && srv --db sqlite:x.db device list --help && grep -q 'device list' out \
   && ! grep -q 'device add' out && [ ! -e x.db ]; then
  ok "COMMAND --help and GROUP --help show only that command, and touch no database"
else
  not_ok "COMMAND --help and GROUP --help show only that command, and touch no database"
fi

cat >server.conf <<CONF
# As /etc/field-intake/server.conf.
[server]
database=sqlite:$work/state/server.db
listen=127.0.0.1:0
max-connections=64
max-connections-per-ip=8
CONF
mkdir state
if srv --config server.conf init --secret-key-out org.key \
   && srv --config server.conf device add tablet-1 && [ -f state/server.db ] \
   && start --config server.conf \
   && curl -sf "http://127.0.0.1:$port/v1/health" >out && grep -q '"ok"\|status' out; then
  ok "serve --config takes the database and the listen address from the file"
else
  not_ok "serve --config takes the database and the listen address from the file"
fi

printf '[server]\ndatabse=sqlite:typo.db\n' >typo.conf
if ! srv --config typo.conf device list && grep -q 'unknown key "databse"' out \
   && [ ! -e typo.db ]; then
  ok "a misspelt config key is refused"
else
  not_ok "a misspelt config key is refused"
fi

code () { curl -s -o body -w '%{http_code}' -X POST "$@" --data '{"token": "x"}' \
            "http://127.0.0.1:$port/v1/enroll"; }
c1=$(code -H 'Content-Type: text/plain')
grep -q unsupported_media_type body; b1=$?
c2=$(code -H 'Content-Type:')
c3=$(code -H 'Content-Type: application/x-www-form-urlencoded')
c4=$(code -H 'Content-Type: application/json; charset=utf-8')
if [ "$c1" = 415 ] && [ $b1 -eq 0 ] && [ "$c2" = 415 ] && [ "$c3" = 415 ] && [ "$c4" = 400 ]
then
  ok "a body that is not application/json is refused with 415"
else
  not_ok "a body that is not application/json is refused with 415 ($c1 $c2 $c3 $c4)"
fi

# A backup taken while serve runs, then restored in place of a lost database.
if srv --config server.conf backup --out backup.db && [ -f backup.db ] \
   && [ "$(stat -c %a backup.db)" = 600 ] && [ ! -e backup.db.partial ]; then
  ok "backup copies the database while serve runs, readable by its owner only"
else
  not_ok "backup copies the database while serve runs, readable by its owner only"
fi
stop
srv --config server.conf device add tablet-2

if ! srv --config server.conf backup --out backup.db && grep -q 'never overwrites' out \
   && ! srv --db postgresql://localhost/none backup --out pg.db && grep -q pg_dump out \
   && [ ! -e pg.db ]; then
  ok "backup never overwrites a file, and sends PostgreSQL to pg_dump"
else
  not_ok "backup never overwrites a file, and sends PostgreSQL to pg_dump"
fi

# Restore: the database is lost; the backup put in its place serves again, with what it held
# (tablet-1, not tablet-2 which came after it).
rm -f state/server.db state/server.db-wal state/server.db-shm
cp backup.db state/server.db
if srv --config server.conf device list && grep -q '^tablet-1 ' out && ! grep -q tablet-2 out \
   && start --config server.conf && curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null; then
  ok "a restored backup opens and serves"
else
  not_ok "a restored backup opens and serves"
fi
stop

# Refusals in words: an empty form file, a binary one, a truncated one.
: >empty.json
printf '\177ELF\002\001\001\000\000' >binary.json
printf '{"id": "f",\n "version": 1,\n "title": {' >truncated.json
if ! srv --config server.conf form publish empty.json && grep -q 'empty' out \
   && ! srv --config server.conf form publish binary.json \
   && grep -q 'binary.json is a binary file, not JSON text' out \
   && ! srv --config server.conf form publish truncated.json && grep -q 'line 3' out; then
  ok "form publish names an empty, a binary and a truncated file in words"
else
  not_ok "form publish names an empty, a binary and a truncated file in words"
fi

# The organisation key still matches: a restored server is the same server to its tablets.
if srv --config server.conf export --secret-key org.key && grep -q '^\[' out; then
  ok "the restored database exports with the organisation key"
else
  not_ok "the restored database exports with the organisation key"
fi
exit $failed

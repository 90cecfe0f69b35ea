#!/bin/sh
# What `npm start` runs: the built server (dist/app/cli.js) with the node flags it is measured
# with. Why each flag: README, "Benchmarks" → "Memory".
#
# The young generation (V8's semi-space) is sized per database, and V8 reads that size only at
# start-up, so it is chosen here. On SQLite a request runs from its query to its response in one
# go; on PostgreSQL up to 32 requests wait on the database at once, and every scavenge copies the
# objects they hold. With 4 MiB semi-spaces, scavenges took 28% of the server's CPU time under the
# contains list on PostgreSQL; with 8 MiB, list and the nested GraphQL query cost 20-40% less CPU
# there, while on SQLite the larger size saved nothing and raised the peak RSS by 15-20 MiB.
# V8 rounds the size up to a power of two: 3 behaves as 4 (a young generation of 8 MiB). 2 would
# lower the bench's peak RSS by 5-6 MiB, but once the server had taken the bench's 20,000 seeded
# records through its API, the garbage collector took 17% of a get's CPU time instead of 2-4%
# (CPU profiles of the bench's get, three rounds each), and get fell from 0.53 to 0.46 of the
# floor. The old generation's growth factor after a full GC is per database too: on SQLite 20%
# instead of 30%.
#
# The database is DATABASE_URL from the environment, else from ./.env (as the server reads it),
# else the SQLite default. `scripts/start.sh --print` prints the command instead of running it
# (the bench and the idle-memory test start the server with the same flags).
db="${DATABASE_URL-}"
if [ -z "$db" ] && [ -f .env ]; then
  db=$(grep -E '^[[:space:]]*(export[[:space:]]+)?DATABASE_URL[[:space:]]*=' .env | tail -n 1 | sed -E "s/^[^=]*=[[:space:]]*[\"']?//")
fi
case "$db" in
  postgres://* | postgresql://*) semi=8 growing=30 ;;
  *) semi=3 growing=20 ;;
esac
flags="--liftoff-only --max-semi-space-size=$semi --v8-pool-size=1 --heap-growing-percent=$growing"
if [ "${1-}" = "--print" ]; then
  echo "MALLOC_ARENA_MAX=2 node $flags dist/app/cli.js serve"
  exit 0
fi
export MALLOC_ARENA_MAX=2
# $flags unquoted: one word per flag
exec node $flags dist/app/cli.js serve "$@"

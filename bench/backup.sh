#!/usr/bin/env bash
# Backup, restore and copy benchmark, side by side with each database's own
# tools on the same data in one run: sqlite3's .backup and pg_dump -Fc /
# pg_restore are the yardsticks (neither encrypts, checks the result or
# crosses database kinds). The database is an aftermath SQLite file (default:
# the 522,210-event one bench/import.sh leaves in bench/out/a.db; DB=… for
# another, e.g. bench/impact.sh's 3-million-event bench/out/impact.db).
# Prints Markdown lines for docs/benchmarks.md. Traffic stays on 127.0.0.1.
set -euo pipefail
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" # go.mod\'s patched toolchain
cd "$(dirname "$0")/.."
OUT=bench/out
DB=${DB:-$OUT/a.db}
PG=${AFTERMATH_BENCH_PG:-postgres://postgres:postgres@127.0.0.1:5432}
[ -f "$DB" ] || { echo "no database $DB: run bench/import.sh (or set DB)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
go build -o "$OUT/aftermath" ./cmd/aftermath
A=$OUT/aftermath
W=$OUT/backup-bench
rm -rf "$W" && mkdir -p "$W"
"$A" backup keygen --out "$W/id" | sed -n 's/^recipient.*: //p' >"$W/pub"
# timed LABEL CMD…: runs CMD under /usr/bin/time; prints "| LABEL | s | MiB RSS |".
timed() {
	local label=$1; shift
	/usr/bin/time -f '%e %M' -o "$W/time.txt" "$@" >"$W/cmd.log" 2>&1 || { cat "$W/cmd.log"; exit 1; }
	read -r secs rss_kb <"$W/time.txt"
	printf '| %s | %s | %d |\n' "$label" "$secs" $((rss_kb / 1024))
}
pgdb() { psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1; }
events=$(sqlite3 "$DB" 'SELECT count(*) FROM events')
echo "Database: $DB, $(stat -c %s "$DB") bytes, $events events."
echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); $(go version | cut -d' ' -f3); load $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| step | seconds | peak RSS MiB |"
echo "|---|---:|---:|"
timed "sqlite3 .backup (copy of the file, yardstick)" sqlite3 "$DB" ".backup $W/copy.db"
timed "aftermath backup (SQLite, age + gzip)" "$A" backup --db "$DB" --out "$W/b.age" --recipient "$(cat "$W/pub")"
echo "| backup file | $(stat -c %s "$W/b.age") bytes | |"
timed "aftermath restore → SQLite (with checks)" "$A" restore "$W/b.age" --identity "$W/id" --db "$W/r.db" --skip-testimony-check
pgdb aftermath_bench_backup
timed "aftermath restore → PostgreSQL (with checks)" "$A" restore "$W/b.age" --identity "$W/id" --db "$PG/aftermath_bench_backup?sslmode=disable" --skip-testimony-check --upload-dir "$W/u"
timed "pg_dump -Fc (yardstick)" pg_dump -Fc -f "$W/pg.dump" "$PG/aftermath_bench_backup"
echo "| pg_dump file | $(stat -c %s "$W/pg.dump") bytes | |"
pgdb aftermath_bench_backup2
timed "pg_restore (yardstick)" pg_restore -d "$PG/aftermath_bench_backup2" "$W/pg.dump"
timed "aftermath backup (PostgreSQL)" "$A" backup --db "$PG/aftermath_bench_backup?sslmode=disable" --out "$W/p.age" --recipient "$(cat "$W/pub")" --upload-dir "$W/u"
pgdb aftermath_bench_copy
timed "aftermath copy SQLite → PostgreSQL" "$A" copy --from "$DB" --to "$PG/aftermath_bench_copy?sslmode=disable" --skip-testimony-check
rm -rf "$W"

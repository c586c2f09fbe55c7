#!/usr/bin/env bash
# Import benchmark: builds a >= 500,000-row GED CSV by repeating the shared
# UCDP file with fresh ids, then times, in one run and on one machine,
#   - the yardsticks: sqlite3's .import and psql's \copy into an untyped table;
#   - aftermath import into SQLite and into PostgreSQL (rows/s, peak RSS).
# Prints a Markdown table for docs/benchmarks.md. Traffic stays on 127.0.0.1.
set -euo pipefail
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" # go.mod\'s patched toolchain
cd "$(dirname "$0")/.."
ROWS=${ROWS:-522000}
PG=${AFTERMATH_BENCH_PG:-postgres://postgres:postgres@127.0.0.1:5432}
SRC=${SRC:-../shared/data/ucdp/GEDEvent_v21_01_21_12.csv.zip}
OUT=bench/out
CSV=$OUT/GEDEvent_v99_1.csv
mkdir -p "$OUT"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }
command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }

go build -o "$OUT/aftermath" ./cmd/aftermath
[ -f "$CSV" ] || go run ./bench/gencsv -in "$SRC" -out "$CSV" -rows "$ROWS"
rows=$(( $(go run ./bench/gencsv -count "$CSV") ))
size=$(stat -c %s "$CSV")

# timed LABEL CMD…: runs CMD under /usr/bin/time; sets secs and rss_kb.
timed() {
	local label=$1; shift
	/usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$@" >"$OUT/$label.log" 2>&1 || { cat "$OUT/$label.log"; exit 1; }
	read -r secs rss_kb <"$OUT/time.txt"
}

pgreset() {
	psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}

cols=$(head -n1 "$CSV" | tr -d '"\r' | sed 's/,/ text, /g; s/$/ text/')

rm -f "$OUT"/y.db* "$OUT"/a.db*
timed sqlite3_import sqlite3 "$OUT/y.db" ".import --csv $CSV ged"
y_sqlite=$secs

pgreset aftermath_bench_y
psql -q "$PG/aftermath_bench_y" -c "CREATE TABLE ged ($cols)" >/dev/null
timed psql_copy psql -q "$PG/aftermath_bench_y" -c "\\copy ged FROM '$CSV' WITH (FORMAT csv, HEADER true)"
y_pg=$secs

timed aftermath_sqlite "$OUT/aftermath" import ucdp --quiet --db "$OUT/a.db" "$CSV"
a_sqlite=$secs a_sqlite_rss=$rss_kb

pgreset aftermath_bench_a
timed aftermath_pg "$OUT/aftermath" import ucdp --quiet --db "$PG/aftermath_bench_a?sslmode=disable" "$CSV"
a_pg=$secs a_pg_rss=$rss_kb

cat "$OUT/aftermath_sqlite.log" "$OUT/aftermath_pg.log" >&2
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$rows" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
echo
echo "Input: $rows rows, $((size / 1000000)) MB ($CSV, from $(basename "$SRC"))."
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(go version | cut -d' ' -f3); PostgreSQL $(psql -tA "$PG/postgres" -c 'SHOW server_version' | cut -d' ' -f1); sqlite3 $(sqlite3 --version | cut -d' ' -f1)."
echo
echo "| load | seconds | rows/s | peak RSS | ratio to yardstick |"
echo "|---|---:|---:|---:|---:|"
echo "| sqlite3 .import (untyped table) | $y_sqlite | $(rate "$y_sqlite") | | 1 |"
echo "| aftermath import → SQLite | $a_sqlite | $(rate "$a_sqlite") | $((a_sqlite_rss / 1024)) MiB | $(ratio "$a_sqlite" "$y_sqlite") |"
echo "| psql \\copy (untyped table) | $y_pg | $(rate "$y_pg") | | 1 |"
echo "| aftermath import → PostgreSQL | $a_pg | $(rate "$a_pg") | $((a_pg_rss / 1024)) MiB | $(ratio "$a_pg" "$y_pg") |"

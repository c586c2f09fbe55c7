#!/usr/bin/env bash
# Import benchmark: builds a >= 500,000-row GED CSV by repeating the shared
# UCDP file with fresh ids, then times, in one run and on one machine,
#   - the yardsticks: sqlite3's .import and psql's \copy into an untyped table;
#   - aftermath import into SQLite and into PostgreSQL (rows/s, CPU, peak RSS),
#     and into SQLite from a file of half the rows, to show peak memory does
#     not grow with the file;
#   - with BEFORE=BINARY, that build too, right after each of this one's.
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

# timed LABEL CMD…: runs CMD under /usr/bin/time; sets secs, rss_kb and
# cpu (user + system seconds of the process, which other load on the
# machine sways less than wall time; PostgreSQL's server work is not in it).
timed() {
	local label=$1; shift
	/usr/bin/time -f '%e %M %U %S' -o "$OUT/time.txt" "$@" >"$OUT/$label.log" 2>&1 || { cat "$OUT/$label.log"; exit 1; }
	read -r secs rss_kb user sys <"$OUT/time.txt"
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}

pgreset() {
	psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}

cols=$(head -n1 "$CSV" | tr -d '"\r' | sed 's/,/ text, /g; s/$/ text/')

load_start=$(uptime | sed 's/.*load average: //')
rm -f "$OUT"/y.db* "$OUT"/a.db*
timed sqlite3_import sqlite3 "$OUT/y.db" ".import --csv $CSV ged"
y_sqlite=$secs y_sqlite_cpu=$cpu

pgreset aftermath_bench_y
psql -q "$PG/aftermath_bench_y" -c "CREATE TABLE ged ($cols)" >/dev/null
timed psql_copy psql -q "$PG/aftermath_bench_y" -c "\\copy ged FROM '$CSV' WITH (FORMAT csv, HEADER true)"
y_pg=$secs y_pg_cpu=$cpu

timed aftermath_sqlite "$OUT/aftermath" import ucdp --quiet --db "$OUT/a.db" "$CSV"
a_sqlite=$secs a_sqlite_rss=$rss_kb a_sqlite_cpu=$cpu

# BEFORE=BINARY also times another build (an earlier commit's) right after
# each, for a before-and-after under the same load.
if [ -n "${BEFORE:-}" ]; then
	rm -f "$OUT"/b.db*
	timed before_sqlite "$BEFORE" import ucdp --quiet --db "$OUT/b.db" "$CSV"
	b_sqlite=$secs b_sqlite_rss=$rss_kb b_sqlite_cpu=$cpu
fi

pgreset aftermath_bench_a
timed aftermath_pg "$OUT/aftermath" import ucdp --quiet --db "$PG/aftermath_bench_a?sslmode=disable" "$CSV"
a_pg=$secs a_pg_rss=$rss_kb a_pg_cpu=$cpu
if [ -n "${BEFORE:-}" ]; then
	pgreset aftermath_bench_b
	timed before_pg "$BEFORE" import ucdp --quiet --db "$PG/aftermath_bench_b?sslmode=disable" "$CSV"
	b_pg=$secs b_pg_rss=$rss_kb b_pg_cpu=$cpu
fi

# Peak memory must follow the batch, not the file: the same import of a
# file of half the rows, for its peak RSS beside the full file's.
HALF=$OUT/GEDEvent_v98_1.csv
[ -f "$HALF" ] || go run ./bench/gencsv -in "$SRC" -out "$HALF" -rows "$((ROWS / 2))"
half_rows=$(( $(go run ./bench/gencsv -count "$HALF") ))
rm -f "$OUT"/h.db*
timed aftermath_sqlite_half "$OUT/aftermath" import ucdp --quiet --db "$OUT/h.db" "$HALF"
h_sqlite=$secs h_sqlite_rss=$rss_kb h_sqlite_cpu=$cpu

cat "$OUT/aftermath_sqlite.log" "$OUT/aftermath_pg.log" >&2
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$rows" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
echo
echo "Input: $rows rows, $((size / 1000000)) MB ($CSV, from $(basename "$SRC"))."
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(go version | cut -d' ' -f3); PostgreSQL $(psql -tA "$PG/postgres" -c 'SHOW server_version' | cut -d' ' -f1); sqlite3 $(sqlite3 --version | cut -d' ' -f1)."
echo
echo "| load | seconds | rows/s | CPU s | peak RSS | ratio to yardstick |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| sqlite3 .import (untyped table) | $y_sqlite | $(rate "$y_sqlite") | $y_sqlite_cpu | | 1 |"
echo "| aftermath import → SQLite | $a_sqlite | $(rate "$a_sqlite") | $a_sqlite_cpu | $((a_sqlite_rss / 1024)) MiB | $(ratio "$a_sqlite" "$y_sqlite") |"
if [ -n "${BEFORE:-}" ]; then
	echo "| before ($BEFORE) → SQLite | $b_sqlite | $(rate "$b_sqlite") | $b_sqlite_cpu | $((b_sqlite_rss / 1024)) MiB | $(ratio "$b_sqlite" "$y_sqlite") |"
fi
echo "| psql \\copy (untyped table) | $y_pg | $(rate "$y_pg") | $y_pg_cpu | | 1 |"
echo "| aftermath import → PostgreSQL | $a_pg | $(rate "$a_pg") | $a_pg_cpu | $((a_pg_rss / 1024)) MiB | $(ratio "$a_pg" "$y_pg") |"
if [ -n "${BEFORE:-}" ]; then
	echo "| before ($BEFORE) → PostgreSQL | $b_pg | $(rate "$b_pg") | $b_pg_cpu | $((b_pg_rss / 1024)) MiB | $(ratio "$b_pg" "$y_pg") |"
fi
echo
echo "Half the rows ($half_rows) into SQLite: $h_sqlite s ($h_sqlite_cpu s CPU), peak RSS $((h_sqlite_rss / 1024)) MiB (full file: $((a_sqlite_rss / 1024)) MiB)."
echo "Load average (1, 5, 15 min): $load_start at the start, $(uptime | sed 's/.*load average: //') at the end."

#!/usr/bin/env bash
# Money-and-arms imports and queries, side by side with the database's own
# loader on the same data: the SIPRI register (its rows, without the
# preamble, as CSV) through sqlite3's .import and psql's \copy, then
# `aftermath import sipri|iati` and `flows` on SQLite (and PostgreSQL when
# AFTERMATH_BENCH_PG is set, e.g. postgres://postgres@127.0.0.1:5432).
# Prints Markdown lines for docs/benchmarks.md.
set -euo pipefail
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" # go.mod\'s patched toolchain
cd "$(dirname "$0")/.."
OUT=bench/out
DATA=${DATA:-../shared/data}
REG=$DATA/sipri/trade-register-all-2025-03.csv
mkdir -p "$OUT"
go build -o "$OUT/aftermath" ./cmd/aftermath
# The register's rows in UTF-8 without the preamble, the records SIPRI
# breaks over two lines joined, for the yardsticks (neither loader reads
# the export as SIPRI writes it).
python3 - "$REG" "$OUT/sipri-rows.csv" <<'PY'
import csv, io, sys
lines = open(sys.argv[1], encoding="latin-1").read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("Recipient,Supplier,"))
recs = [r for r in csv.reader(io.StringIO("\n".join(lines[start:]))) if r]
out, i = [recs[0]], 1
while i < len(recs):
    r = recs[i]
    if len(r) < len(recs[0]):
        r = r[:-1] + [r[-1] + "\n" + recs[i + 1][0]] + recs[i + 1][1:]
        i += 1
    out.append(r)
    i += 1
csv.writer(open(sys.argv[2], "w", newline="")).writerows(out)
PY
secs() { local s; s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
targets=("$OUT/flows.db")
[ -n "${AFTERMATH_BENCH_PG:-}" ] && targets+=("$AFTERMATH_BENCH_PG/aftermath_bench_flows?sslmode=disable")
for db in "${targets[@]}"; do
	case "$db" in
	postgres*)
		psql -q "$AFTERMATH_BENCH_PG/postgres" -c "DROP DATABASE IF EXISTS aftermath_bench_flows" -c "CREATE DATABASE aftermath_bench_flows" >/dev/null
		cols=$(head -1 "$OUT/sipri-rows.csv" | awk -F, '{for(i=1;i<=NF;i++) printf "%sc%d text", (i>1?", ":""), i}')
		psql -q "${db%%\?*}" -c "CREATE TABLE yard ($cols)" >/dev/null
		yard=$(secs psql -q "${db%%\?*}" -c "\\copy yard FROM '$OUT/sipri-rows.csv' WITH (FORMAT csv, HEADER true)")
		name="PostgreSQL" ;;
	*)
		rm -f "$db" "$db-wal" "$db-shm" "$OUT/yard.db"
		yard=$(secs sqlite3 "$OUT/yard.db" ".import --csv $OUT/sipri-rows.csv yard")
		name="SQLite" ;;
	esac
	sipri=$(/usr/bin/time -f "%e s, peak RSS %M KB" "$OUT/aftermath" import sipri --db "$db" "$REG" 2>&1 >/dev/null | tail -1)
	again=$(secs "$OUT/aftermath" import sipri --db "$db" "$REG")
	iati=$(/usr/bin/time -f "%e s, peak RSS %M KB" "$OUT/aftermath" import iati --db "$db" "$DATA"/iati/codelists/*.xml "$DATA"/iati/*.xml 2>&1 >/dev/null | tail -1)
	arms=$(secs "$OUT/aftermath" flows --db "$db" --kind arms --by supplier,recipient,order_year --format csv)
	aid=$(secs "$OUT/aftermath" flows --db "$db" --kind aid --by reporting_org,recipient_country,sector,year --format csv)
	land=$(secs "$OUT/aftermath" funding --db "$db" --recipient IRQ)
	echo "| $name | ${yard} s | ${sipri} | ${again} s | ${iati} | ${arms} s | ${aid} s | ${land} s |"
done

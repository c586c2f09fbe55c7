#!/usr/bin/env bash
# Impact API benchmark over >= 3 million events: replicates the shared GED
# file with fresh ids and dates shifted over 30 years, imports it into
# SQLite (and PostgreSQL when AFTERMATH_BENCH_PG is set), seeds the catalog
# and times the impact API on 127.0.0.1. Prints Markdown for docs/benchmarks.md.
set -euo pipefail
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" # go.mod\'s patched toolchain
cd "$(dirname "$0")/.."
OUT=bench/out
CSV=$OUT/GEDEvent_v98_1.csv
SRC=${SRC:-../shared/data/ucdp/GEDEvent_v21_01_21_12.csv.zip}
mkdir -p "$OUT"
go build -o "$OUT/aftermath" ./cmd/aftermath
[ -f "$CSV" ] || go run ./bench/gencsv -in "$SRC" -out "$CSV" -rows 3000000 -shift-years 30
targets=("$OUT/impact.db")
[ -n "${AFTERMATH_BENCH_PG:-}" ] && targets+=("$AFTERMATH_BENCH_PG/aftermath_bench_impact?sslmode=disable")
for db in "${targets[@]}"; do
	case "$db" in
	postgres*)
		psql -q "$AFTERMATH_BENCH_PG/postgres" -c "DROP DATABASE IF EXISTS aftermath_bench_impact" -c "CREATE DATABASE aftermath_bench_impact" >/dev/null ;;
	*) rm -f "$db" "$db-wal" "$db-shm" ;;
	esac
	/usr/bin/time -f "import: %e s, peak RSS %M KB" "$OUT/aftermath" import ucdp --quiet --db "$db" "$CSV"
	"$OUT/aftermath" seed --db "$db"
	echo
	echo "Database: ${db%%\?*}"
	go run ./bench/impact -db "$db" -intervention minusma -requests "${REQUESTS:-50}"
	echo
done

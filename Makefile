# Every test: formatting, vet, the race-checked suite, and a short fuzz run
# of each reader. PostgreSQL tests run when AFTERMATH_TEST_PG names a server.
GO ?= go
# Take go.mod's toolchain (a patched Go) even where go.env says local.
export GOTOOLCHAIN ?= auto
# A count, not a duration: duration-based -fuzztime can fail spuriously with
# "context deadline exceeded" on Go 1.26 (go.dev/issue/75804).
FUZZTIME ?= 150000x

.PHONY: test fmt vet unit fuzz bench build

test: fmt vet unit fuzz

build:
	$(GO) build -o aftermath ./cmd/aftermath

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 -timeout 30m ./...

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzReader -fuzztime=$(FUZZTIME) ./internal/ingest/ucdp
	$(GO) test -run='^$$' -fuzz=FuzzReader -fuzztime=$(FUZZTIME) ./internal/ingest/acled

# Import benchmark against sqlite3 .import and psql \copy; see docs/benchmarks.md.
bench:
	bash bench/import.sh

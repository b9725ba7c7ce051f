# Bellhop's targets. `make help` lists them; CI runs the same ones.
GO       ?= go
BIN      := bin
PLUGINS  := $(BIN)/plugins
ADDR     ?= 127.0.0.1:8080
# DEV_KEY is the test key `make run` creates, so the README's curl lines work
# as written. It exists only in the embedded Redis of that run.
DEV_KEY  ?= bh_test_LocalDevelopmentKeyForBellhop0000

.DEFAULT_GOAL := help

## help: list the targets with what they do
.PHONY: help
help:
	@awk 'BEGIN{FS=": "} /^## /{sub(/^## /,""); printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

## build: build the bellhop binary into bin/
.PHONY: build
build:
	$(GO) build -o $(BIN)/bellhop ./cmd/bellhop

## plugins: build the prebuilt connector plugins into bin/plugins/
.PHONY: plugins
plugins:
	@mkdir -p $(PLUGINS)
	@for d in connectors/*/cmd/bellhop-connector-*; do \
		[ -d "$$d" ] || continue; \
		echo "  plugin $$(basename $$d)"; \
		$(GO) build -o $(PLUGINS)/$$(basename $$d) ./$$d || exit 1; \
	done

## run: start the hub on 127.0.0.1:8080 (ADDR=host:port to change) with an embedded Redis (or REDIS_URL) and print a test key
.PHONY: run
run: build plugins
	BELLHOP_PLUGIN_DIR=$(PLUGINS) BELLHOP_BOOTSTRAP_KEY=$${BELLHOP_BOOTSTRAP_KEY:-$(DEV_KEY)} $(BIN)/bellhop serve --addr $(ADDR)

## test: run every test (uses REDIS_URL when it answers, else an embedded Redis), then fuzz-smoke
.PHONY: test
test: plugins
	BELLHOP_PLUGIN_DIR=$(CURDIR)/$(PLUGINS) $(GO) test -count=1 -timeout 20m ./...
	@$(MAKE) --no-print-directory sdk-go
	@$(MAKE) --no-print-directory sdk-typescript
	@$(MAKE) --no-print-directory fuzz-smoke

# sdk-typescript needs Node ≥ 18 and npm. Without them it says so in one line
# and succeeds, so that make test works with Go alone; under CI=true it fails
# instead (.ci/run installs them), so CI cannot pass without running it.
# generate rewrites the checked-in types from core/api/openapi.json: CI's
# final git diff --exit-code catches a document changed without them. npm test
# builds dist/, compiles the type test (tsc --noEmit) and runs node --test.
## sdk-typescript: regenerate, build, type-test and test the TypeScript SDK (sdk/typescript) against a hub; make test runs it
.PHONY: sdk-typescript
sdk-typescript: build
	@if ! command -v npm >/dev/null || ! node -e 'process.exit(parseInt(process.versions.node) < 18 ? 1 : 0)' 2>/dev/null; then \
		if [ "$$CI" = true ]; then echo "sdk/typescript: Node ≥ 18 and npm are required under CI=true (apt-get install -y nodejs npm)" >&2; exit 1; fi; \
		echo "sdk/typescript: skipped (install Node ≥ 18: apt-get install -y nodejs npm)"; exit 0; \
	fi; \
	set -e; cd sdk/typescript; \
	npm ci --no-audit --no-fund; npm run --silent generate; \
	BELLHOP_BIN=$(CURDIR)/$(BIN)/bellhop npm test --silent

# sdk/go is a module of its own, which the root's ./... does not reach: its
# tests run here, against the bellhop binary build makes (they start it as a
# hub), and vet checks it on its own too.
## sdk-go: test the Go SDK (sdk/go) against a hub built from this checkout; make test runs it
.PHONY: sdk-go
sdk-go: build
	cd sdk/go && BELLHOP_BIN=$(CURDIR)/$(BIN)/bellhop $(GO) test -count=1 -timeout 10m ./...

# FUZZ_SMOKE_TIME is how long fuzz-smoke runs each target, FUZZTIME how long
# fuzz does. `go test -fuzz` takes one package and one target at a time, so
# run-fuzz finds every `func Fuzz…` in a _test.go file by grep (a new target
# in any package is run without touching this file), builds each package's
# instrumented test binary once (go test -c -fuzz; relinking it per target
# cost more than the fuzzing) and runs it per target from the package's
# folder, with the corpus cache go test would use. New corpus entries go to
# $GOCACHE/fuzz; only a failure writes testdata/fuzz/, so a clean run leaves
# git status clean. Minimizing a new input is capped in executions: left at
# go's 60 s it stalled FuzzRun for a minute per input whose runs time out.
# fuzz-smoke counts executions rather than seconds: go 1.26's coordinator
# can fail a target with a bare "context deadline exceeded" when a timed
# -fuzztime ends while a starved worker is mid-input (golang/go#75804, fixed
# in 1.27), which a loaded CI machine hits; a count has no deadline to race.
FUZZ_SMOKE_TIME ?= 1000x
FUZZTIME        ?= 60s
define run-fuzz
	@set -e; mkdir -p $(BIN)/fuzz; cache=$$($(GO) env GOCACHE)/fuzz; \
	for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		pkg=$$($(GO) list $$dir); bin=$(CURDIR)/$(BIN)/fuzz/$$(echo $$pkg | tr / _).test; \
		$(GO) test -c -fuzz=. -o $$bin $$dir; \
		for name in $$(cat $$dir/*_test.go | sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p'); do \
			echo "  fuzz $$dir $$name ($(1))"; \
			(cd $$dir && $$bin -test.run='^$$' -test.fuzz="^$$name\$$" -test.fuzztime=$(1) -test.fuzzminimizetime=100x -test.parallel=1 \
				-test.fuzzcachedir=$$cache/$$pkg) || exit 1; \
		done; \
	done
endef

## screenshots: regenerate docs/screenshots/*.png of the console's main pages from a seeded hub (needs Chromium)
.PHONY: screenshots
screenshots: plugins
	@mkdir -p docs/screenshots
	BELLHOP_PLUGIN_DIR=$(CURDIR)/$(PLUGINS) BELLHOP_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestConsoleScreenshots$$' ./cmd/bellhop

## fuzz-smoke: run every fuzz target briefly (FUZZ_SMOKE_TIME each, 1000 executions); make test runs it
.PHONY: fuzz-smoke
fuzz-smoke:
	$(call run-fuzz,$(FUZZ_SMOKE_TIME))

## fuzz: run every fuzz target for FUZZTIME each (60s), one at a time; crashers land in testdata/fuzz/
.PHONY: fuzz
fuzz:
	$(call run-fuzz,$(FUZZTIME))

## test-short: the tests without the slow end-to-end ones
.PHONY: test-short
test-short:
	$(GO) test -count=1 -short ./...

## bench: run the Go benchmarks (figures go in BENCHMARKS.md)
.PHONY: bench
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## vet: static checks and formatting
.PHONY: vet
vet:
	$(GO) vet ./...
	cd sdk/go && $(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

## receiver-node: install and compile the Node example receiver (examples/receivers/node)
.PHONY: receiver-node
receiver-node:
	cd examples/receivers/node && npm ci --no-audit --no-fund && npm run build

## vendor-console: re-fetch the console's vendored front-end files from npm (needs npm and the network; the build does not)
.PHONY: vendor-console
vendor-console:
	sh core/console/vendor.sh

## clean: remove built binaries
.PHONY: clean
clean:
	rm -rf $(BIN)

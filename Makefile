# parsec-gen build, test and tooling targets.
#
# Everything the tests need is installed here: Centrifugo (pinned, built from
# the Go module proxy into ./bin), redis-server and node (Debian packages) and
# centrifuge-js (npm ci from server/interop/js/package-lock.json).

GO          ?= go
# The root module is tested on its own go.mod, as a dependent resolves it
# (GOWORK=off); server/ and example/ need the workspace (go.work), since they
# require the release version of the root module, which is this checkout.
ROOT_GO     := GOWORK=off $(GO)
BIN         := $(CURDIR)/bin
CENTRIFUGO_VERSION := v6.9.1
CENTRIFUGO  := $(BIN)/centrifugo
export PARSEC_CENTRIFUGO := $(CENTRIFUGO)

.PHONY: all test unit lint generate example corpus bench tools centrifugo redis node interop-deps interop

all: lint test

## test: the whole suite, as CI runs it: lint, unit/golden/corpus tests with the race
## detector, the example module, then the integration suite against real servers
test: lint unit test-example integration

## unit: the root module's tests (runtime, generator golden + corpus, CLI) with the race detector
.PHONY: unit
unit:
	$(ROOT_GO) test -race -count=1 -timeout 20m ./...

## lint: gofmt and go vet over every module
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(ROOT_GO) vet ./...
	cd server && $(GO) vet ./...
	cd example && $(GO) vet ./...
	cd example/otel && $(GO) vet ./...
	cd gen/emit/internal/bench/goccy && $(GO) vet ./...
	$(ROOT_GO) run ./cmd/parsec-gen generate --check -p notes -o server/interop/notes server/interop/schemas

## release-check: build the modules as a dependent would once internal/version.Version is tagged:
## from a file:// module proxy serving this checkout at that version, outside the workspace
## (also part of unit); then the README's quick start for a local checkout, from a module outside
.PHONY: release-check
release-check:
	$(ROOT_GO) test -count=1 -timeout 20m -run '^(TestReleaseModules|TestQuickStartLocalCheckout)$$' -v ./internal/release
	$(ROOT_GO) test -count=1 -run '^Test' ./internal/version

## tools: everything the integration tests need
tools: centrifugo redis interop-deps

## centrifugo: build the pinned Centrifugo into ./bin (cached afterwards)
centrifugo: $(CENTRIFUGO)
$(CENTRIFUGO):
	GOBIN=$(BIN) $(GO) install github.com/centrifugal/centrifugo/v6@$(CENTRIFUGO_VERSION)

## redis: install redis-server from Debian's packages when missing
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

## node: install node and npm from Debian's packages when missing
node:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }

## interop-deps: node, and centrifuge-js as pinned by server/interop/js/package-lock.json (npm ci, from the npm registry)
INTEROP_JS := server/interop/js
interop-deps: $(INTEROP_JS)/node_modules/.package-lock.json
$(INTEROP_JS)/node_modules/.package-lock.json: $(INTEROP_JS)/package.json $(INTEROP_JS)/package-lock.json | node
	cd $(INTEROP_JS) && npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

## interop: only the centrifuge-js interop suite (embedded server and Centrifugo); integration runs it too
interop: centrifugo interop-deps
	cd server && $(GO) test -race -count=1 -timeout 10m ./interop

## integration: the server module's tests (embedded node, Centrifugo, Redis, fault injection, centrifuge-js interop); CI=true fails on missing tools
.PHONY: integration
integration: tools
	cd server && $(GO) vet ./... && $(GO) test -race -count=1 -timeout 15m ./...

## corpus: generate, compile and round-trip ../shared/corpus/schemastore; prints the figures
corpus:
	@mkdir -p $(BIN)
	$(GO) test -count=1 -run '^TestCorpus$$' -v ./internal/corpustest -args -corpus.failures=$(BIN)/corpus-failures.txt

## fuzz-runtime: run the envelope decoder and pattern fuzz targets, FUZZTIME each (default 30s)
FUZZTIME ?= 30s
.PHONY: fuzz-runtime
fuzz-runtime:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./runtime/envelope
	$(GO) test -run '^$$' -fuzz '^FuzzMatch$$' -fuzztime $(FUZZTIME) ./runtime/channel
	$(GO) test -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime $(FUZZTIME) ./internal/ecmaregex
	$(GO) test -run '^$$' -fuzz '^FuzzEnginesAgree$$' -fuzztime $(FUZZTIME) ./internal/ecmaregex

## fuzz-gen: run the generator fuzz targets (raw schema bytes, then built schemas), FUZZTIME each
.PHONY: fuzz-gen
fuzz-gen:
	$(GO) test -run '^$$' -fuzz '^FuzzGenerate$$' -fuzztime $(FUZZTIME) -parallel 1 ./gen
	$(GO) test -run '^$$' -fuzz '^FuzzGenerateSchema$$' -fuzztime $(FUZZTIME) -parallel 1 ./gen

## generate: regenerate every committed generated file (the example's package via its go:generate line, the interop tests' package)
generate:
	cd example/orders && $(GO) generate ./...
	$(ROOT_GO) run ./cmd/parsec-gen generate -p notes -o server/interop/notes server/interop/schemas

## example: regenerate the example's package from schemas/, then run it end to end on an embedded server over WebSocket (no setup)
example: generate
	cd example && $(GO) run .

## test-example: the example module's tests (typed client end to end, compile tests, generated code up to date,
## the example against a real Centrifugo, so it needs the tools first), and the OpenTelemetry example module's
## (spans for publish and handle, derived publishes linked to their cause)
.PHONY: test-example
test-example: centrifugo
	cd example && $(GO) vet ./... && $(GO) test -race -count=1 ./...
	cd example/otel && $(GO) vet ./... && $(GO) test -race -count=1 ./...

## bench: typed PublishXxx->OnXxx against untyped Publish->OnAspect+encoding/json, in one run
BENCHCOUNT ?= 6
bench:
	cd example && $(GO) test -run '^$$' -bench 'PublishHandle|Payload' -benchmem -count $(BENCHCOUNT) ./orders

## bench-ws: publish->handler over WebSocket to the embedded node: ws transport and runtime client against raw centrifuge-go, in one run
.PHONY: bench-ws
bench-ws:
	cd server && $(GO) test -run '^$$' -bench 'BenchmarkWS' -benchtime 15000x -benchmem -count 3 ./integration

## bench-codec: generated decode+validate and encode of a 1 KB event against encoding/json, in one run (ratios in x_encoding/json),
## then decode against goccy/go-json without validation (ratio in x_goccy; its own module, so the root module never requires goccy)
.PHONY: bench-codec
bench-codec:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./gen/emit/internal/bench
	cd gen/emit/internal/bench/goccy && $(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) .

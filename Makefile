# Qifu — the two commands of a fresh machine are `make run` and `make test`.
GO       ?= go
BIN      ?= bin/qifu
DATA     ?= qifu-data
ADDR     ?= 127.0.0.1:8080
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/qifu/qifu/internal/app.Version=$(VERSION)

.PHONY: build assets run demo serve test test-short lint fmt clean

# Front-end libraries come from npm through package-lock.json and are embedded
# at build time (internal/web/static/vendor, git-ignored); nothing third-party
# is committed. Without them the pages still work: charts fall back to their
# tables.
VENDOR := internal/web/static/vendor
ECHARTS := $(VENDOR)/echarts.min.js

assets: $(ECHARTS)

$(ECHARTS): package.json package-lock.json
	npm ci --no-audit --no-fund
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $(ECHARTS)
	cp node_modules/echarts/LICENSE $(VENDOR)/echarts.LICENSE.txt

build: assets
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/qifu

# Build, load the demo network into ./qifu-data (idempotent) and serve it.
run: build
	./$(BIN) demo --data $(DATA)
	./$(BIN) serve --data $(DATA) --addr $(ADDR)

# The whole suite. PostgreSQL runs too when QIFU_TEST_POSTGRES holds a DSN.
test: assets
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

test-short: assets
	$(GO) test -count=1 ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin node_modules $(VENDOR)

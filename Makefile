# Qifu — the two commands of a fresh machine are `make run` and `make test`.
GO       ?= go
BIN      ?= bin/qifu
DATA     ?= qifu-data
ADDR     ?= 127.0.0.1:8080
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/qifu/qifu/internal/app.Version=$(VERSION)

.PHONY: build run demo serve test test-short lint fmt clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/qifu

# Build, load the demo network into ./qifu-data (idempotent) and serve it.
run: build
	./$(BIN) demo --data $(DATA)
	./$(BIN) serve --data $(DATA) --addr $(ADDR)

# The whole suite. PostgreSQL runs too when QIFU_TEST_POSTGRES holds a DSN.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

test-short:
	$(GO) test -count=1 ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin

# virga: `make run` serves on 127.0.0.1:4566 with data in ./.virga;
# `make test` installs what the tests need (Debian packages) and runs them all.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/virga/virga/internal/version.Version=$(VERSION)
PKGS     := ./...

.PHONY: all build run test test-deps vet fmt-check bench fuzz samdiff clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/virga ./cmd/virga

run: build
	./bin/virga up --listen 127.0.0.1:4566 --data-dir ./.virga

test-deps:
	@scripts/install-test-deps.sh

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Every test, including the fuzz tests' seed corpora, end-to-end tests with
# the aws CLI and boto3, and the crash tests that kill real processes.
# The end-to-end package takes about 7 minutes on a quiet 2-core machine
# and twice that on a busy one; the timeout only stops a hung run.
test: test-deps fmt-check vet build
	$(GO) test -count=1 -timeout 25m $(PKGS)

# Benchmarks print a table; record results in bench/RESULTS.md.
bench:
	$(GO) run ./bench

# Run each fuzz test for a while (FUZZTIME per target, default 20s).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# Compare virga's SAM transform with AWS's translator (samtranslator, which
# must be installed for SAMDIFF_PYTHON) on the templates under SAMDIFF_DIR.
# A development tool: the tests do not use it.
SAMDIFF_PYTHON ?= python3.11
SAMDIFF_DIR    ?= internal/cfn/sam/testdata examples
samdiff:
	$(GO) run ./tools/samdiff -python $(SAMDIFF_PYTHON) $(SAMDIFF_DIR)

clean:
	rm -rf bin

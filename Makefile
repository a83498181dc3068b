# The README's commands. `make test` is what CI runs (via .ci/run).
GO ?= go

.PHONY: serve build test deps unit e2e vet bench fuzz tidy-check

serve:
	$(GO) run ./cmd/stagecoach serve

build:
	$(GO) build -o bin/stagecoach ./cmd/stagecoach

vet:
	@test -z "$$(gofmt -l cmd internal)" || (echo "gofmt needed:"; gofmt -l cmd internal; exit 1)
	$(GO) vet ./...

# The request path is concurrent by design: its packages, the HTTP servers
# and the stores run under the race detector — only there, not a second
# time without it (RACE_PKGS; the grep leaves them out of the plain run).
RACE_PKGS = ./internal/gateway/... ./internal/store/... ./internal/telemetry/... ./internal/h1serve/... ./internal/httpguard/...
RACE_SKIP = '/internal/(gateway|store|telemetry|h1serve|httpguard)(/|$$)'

unit: vet
	$(GO) test $$($(GO) list ./... | grep -vE $(RACE_SKIP))
	$(GO) test -race $(RACE_PKGS)

# End-to-end scripts: each builds and starts the real binary and drives it
# with real clients (AWS CLI, Alchemy).
e2e:
	bash e2e/run-all.sh

# deps installs missing Debian packages (awscli, jq, chromium, nodejs, ...)
# when run as root, and only lists them otherwise.
deps:
	bash scripts/test-deps.sh

# Every fuzz target for FUZZTIME (10s) each; the corpora found so far in
# testdata/fuzz also run as plain tests in `unit`.
fuzz:
	bash scripts/fuzz.sh

test: deps
	$(MAKE) unit
	$(MAKE) fuzz
	$(MAKE) e2e

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./internal/...

# tidy-check fails if go.mod/go.sum are not what `go mod tidy` makes of them
# (it needs the module proxy; not part of `make test`, which must not fail
# on a helper's untidy go.get between two tidy runs).
tidy-check:
	$(GO) mod tidy -diff

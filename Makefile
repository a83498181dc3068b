# The README's commands. `make test` is what CI runs (via .ci/run).
GO ?= go

.PHONY: serve build test unit e2e vet bench

serve:
	$(GO) run ./cmd/stagecoach serve

build:
	$(GO) build -o bin/stagecoach ./cmd/stagecoach

vet:
	@test -z "$$(gofmt -l cmd internal)" || (echo "gofmt needed:"; gofmt -l cmd internal; exit 1)
	$(GO) vet ./...

unit: vet
	$(GO) test ./...
	# The request path is concurrent by design: run its packages and the
	# stores under the race detector too.
	$(GO) test -race ./internal/gateway/... ./internal/store/... ./internal/telemetry/...

# End-to-end scripts: each builds and starts the real binary and drives it
# with real clients (AWS CLI, Alchemy).
e2e:
	bash e2e/run-all.sh

test: unit e2e

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./internal/...

# pushpull: make run runs a shipped scenario and writes its report;
# make test runs every check CI runs.

GO       ?= go
SCENARIO ?= scenarios/ecommerce-orders.yaml
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
BIN      := bin/pushpull

.PHONY: build run test bench lint generate validate clean

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/pushpull

run: build
	./$(BIN) run $(SCENARIO)

# The report's end-to-end test opens report.html in Chromium:
# scripts/chromium.sh installs it from Debian's packages when it is missing.
test: lint
	sh scripts/chromium.sh
	$(GO) test -race ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/...

lint:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# Regenerate the files derived from the code: the scenario JSON Schema and
# the field reference in docs/scenarios.md.
generate:
	$(GO) test ./sim/scenario -run 'TestSchemaIsCurrent|TestReferenceIsCurrent' -update

# Regenerate docs/validation.md: every published claim about polling and
# webhooks beside the models' exact value and a simulation's measurement.
validate:
	$(GO) test ./sim/model -run TestValidationDocIsCurrent -update

clean:
	rm -rf bin out

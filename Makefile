# kafkalab: `make run` starts the shell, `make test` runs the test suite.
# Both install the two system libraries first when pkg-config cannot find them.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := librdkafka-dev libedit-dev pkg-config
BREW_PACKAGES := librdkafka libedit pkg-config

.PHONY: deps build release run test test-pure bench clean

deps:
	@if pkg-config --exists rdkafka libedit 2>/dev/null; then \
		:; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "make deps: installing $(APT_PACKAGES)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	elif command -v brew >/dev/null 2>&1; then \
		echo "make deps: installing $(BREW_PACKAGES)"; \
		brew install $(BREW_PACKAGES); \
	else \
		echo "make deps: install librdkafka and libedit development packages (pkg-config names rdkafka, libedit)" >&2; \
		exit 1; \
	fi
	@# The lag exporter's tests validate its /metrics text with prometheus_client's parser;
	@# without it they skip that check and say why. Best effort: no failure if pip cannot.
	@python3 -c 'import prometheus_client' 2>/dev/null || \
		python3 -m pip install --quiet --user prometheus_client 2>/dev/null || \
		python3 -m pip install --quiet --user --break-system-packages prometheus_client 2>/dev/null || \
		echo "make deps: python3 prometheus_client not installed; lag export's parser check will be skipped"

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product kafkalab

run: release
	@./.build/release/kafkalab $(ARGS)

# The suite runs in several swift test processes at once (see scripts/test-shards.sh for why).
test: deps
	SWIFT=$(SWIFT) ./scripts/test-shards.sh

# Only the tests that need no cluster and no built binary (a few seconds).
test-pure: deps
	SWIFT=$(SWIFT) ./scripts/test-pure.sh

bench: release
	./benchmarks/compare.sh

clean:
	rm -rf .build

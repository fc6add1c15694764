# Warden: `make run` starts the service, `make test` runs every test. Both install what this
# Debian machine is missing (libseccomp-dev, pkg-config, libcurl4-openssl-dev, python3-venv)
# before building.
SWIFT ?= swift
# The service and the benchmarks run a release build with the Swift runtime and Foundation
# linked in: 5 MiB less resident memory than the shared libraries (BENCHMARKS.md). Linking
# FoundationNetworking statically needs libcurl's development files. Tests use debug builds.
RELEASE := $(SWIFT) build -c release --static-swift-stdlib
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV := .venv
PYTHON ?= python3

.PHONY: deps build release run test interop bench bench-mcp soak fuzz doctor clean

deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libseccomp libcurl; then \
		echo "Installing libseccomp-dev, libcurl4-openssl-dev and pkg-config"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libseccomp-dev libcurl4-openssl-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE)

# The service on 127.0.0.1:8080 (MCP at /mcp and /sse); WARDEN_PORT, WARDEN_TOKEN etc. apply.
run: release
	.build/release/warden serve

doctor: build
	.build/debug/warden doctor

# The official MCP Python client, pinned, for the interop tests.
$(VENV)/.installed: Tests/interop/requirements.txt
	@if ! $(PYTHON) -c 'import venv, ensurepip' >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r Tests/interop/requirements.txt
	touch $@

test: deps $(VENV)/.installed
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(VENV)/bin/python -m pytest -q Tests/interop

interop: deps $(VENV)/.installed
	$(SWIFT) build
	$(VENV)/bin/python -m pytest -q Tests/interop

bench: release
	.build/release/warden-bench --runs 300

bench-mcp: release $(VENV)/.installed
	$(VENV)/bin/python bench/mcp_bench.py --runs 200 --warden .build/release/warden
	$(VENV)/bin/python bench/noisy_neighbour.py --runs 30 --warden .build/release/warden

# The soak: 20,000 runs across 16 sessions by default (SOAK_RUNS); BENCHMARKS.md has 100,000.
SOAK_RUNS ?= 20000
soak: release $(VENV)/.installed
	$(VENV)/bin/python bench/soak.py --runs $(SOAK_RUNS) --every 10000 --warden .build/release/warden

# libFuzzer over every parser the network reaches, for FUZZ_SECONDS (Fuzz/corpus seeds it; new
# inputs that add coverage go to .build-fuzz/corpus, findings to .build-fuzz/findings).
FUZZ_SECONDS ?= 300
fuzz: deps
	WARDEN_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz --product warden-fuzz -Xswiftc -sanitize=fuzzer
	mkdir -p .build-fuzz/corpus .build-fuzz/findings
	.build-fuzz/debug/warden-fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=2048 \
		-artifact_prefix=.build-fuzz/findings/ -print_final_stats=1 .build-fuzz/corpus Fuzz/corpus

clean:
	rm -rf .build $(VENV)

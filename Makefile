# Warden: `make run` starts the service, `make test` runs every test. Both install what this
# Debian machine is missing (libseccomp-dev, pkg-config) before building.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD_FLAGS ?=

.PHONY: deps build run test bench doctor clean

deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libseccomp; then \
		echo "Installing libseccomp-dev and pkg-config"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libseccomp-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

run: build
	.build/debug/warden doctor
	.build/debug/warden run sandbox/samples/stream.py

doctor: build
	.build/debug/warden doctor

test: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release
	.build/release/warden-bench --runs 300

clean:
	rm -rf .build

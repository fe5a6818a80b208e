# sighted — the one build entry point. Non-recursive: every component's
# sources are found under src/<component>/, objects go to build/<variant>/.
#   make                 release build of ./sighted
#   make check           unit, end-to-end, interop and fuzz-replay tests
#   make SANITIZE=1 check  the same under ASan+UBSan (build/asan/)
#   make fuzz            libFuzzer binaries (clang) under build/fuzz/
#   make demo | bench | lint | install | clean | deps

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
PREFIX ?= /usr/local
CC ?= gcc

PKGS := jansson libxxhash zlib libisal libzstd libpcap libmicrohttpd libmaxminddb nettle uuid libcurl
TEST_PKGS := cmocka

ifeq ($(SANITIZE),1)
VARIANT := asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1 -g
else
VARIANT := release
SANFLAGS :=
OPT := -O2 -g -D_FORTIFY_SOURCE=2
endif

B := build/$(VARIANT)
WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2
HARDEN := -fstack-protector-strong -fPIE
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)
CPPFLAGS += -Isrc -D_GNU_SOURCE -DSIGHTED_VERSION='"$(VERSION)"' -I$(B)/gen
CFLAGS += -std=c11 $(OPT) $(WARN) $(HARDEN) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS += -pie -Wl,-z,relro,-z,now $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lpthread -lm

LIB_SRC := $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRC := $(wildcard src/cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
LIB := $(B)/libsighted.a
BIN := $(B)/sighted

TEST_SRC := $(wildcard tests/*/test_*.c)
TEST_BIN := $(TEST_SRC:%.c=$(B)/%)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:fuzz/%.c=$(B)/fuzz-replay/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
WEB_ASSETS := $(wildcard web/*)

.PHONY: all deps check test demo fuzz bench lint install install-dask clean FORCE
all: sighted

sighted: $(BIN)
ifeq ($(VARIANT),release)
	cp $(BIN) $@
endif

deps:
	./scripts/install-deps

ifneq ($(V),1)
Q := @
endif

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# Web assets are compiled into the binary: the server never opens files.
$(B)/gen/web_assets.c: $(WEB_ASSETS) scripts/embed-assets
	@mkdir -p $(@D)
	./scripts/embed-assets $@ $(WEB_ASSETS)
$(B)/gen/web_assets.o: $(B)/gen/web_assets.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -c $< -o $@

$(LIB): $(LIB_OBJ) $(B)/gen/web_assets.o
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(B)/tests/%: tests/%.c $(LIB) tests/testutil.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(TEST_CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< $(LIB) $(TEST_LIBS) $(LDLIBS)

# Each fuzz target also links against a plain main() that replays its corpus,
# so the corpus runs under gcc (and the sanitizers) in `make check`.
$(B)/fuzz-replay/%: fuzz/%.c fuzz/replay_main.c $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< fuzz/replay_main.c $(LIB) $(LDLIBS)

$(B)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -O3 -march=native -Wno-missing-prototypes $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The installed data directory is compiled in (campaign search path); the
# header is rewritten only when it changes, so a new PREFIX rebuilds the one
# file that uses it.
DATADIR = $(PREFIX)/share/sighted
$(B)/gen/sighted_paths.h: FORCE
	@mkdir -p $(@D)
	@printf '#define SIGHTED_DATADIR "%s"\n' '$(DATADIR)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi
$(B)/src/campaign/campaign.o: $(B)/gen/sighted_paths.h
FORCE:

check test: deps $(BIN) $(TEST_BIN) $(FUZZ_REPLAY)
	SIGHTED=$(abspath $(BIN)) BUILD=$(abspath $(B)) ./tests/run

demo: deps sighted
	./scripts/demo

# libFuzzer needs clang; objects are rebuilt with coverage instrumentation.
FUZZ_B := build/fuzz
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE -DSIGHTED_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
fuzz: $(FUZZ_SRC:fuzz/%.c=$(FUZZ_B)/%)
$(FUZZ_B)/%: fuzz/%.c $(LIB_SRC) $(B)/gen/web_assets.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) $(B)/gen/web_assets.c $(PKG_LIBS) -lpthread -lm

bench: deps sighted $(BENCH_BIN)
	BUILD=$(abspath $(B)) ./bench/run

lint:
	clang-format --dry-run --Werror $(LIB_SRC) $(CLI_SRC) $(wildcard src/*/*.h)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --suppress=unknownMacro -Isrc src

# FHS places under $(PREFIX), below $(DESTDIR) for packaging: the binary,
# the man page, the campaign definitions with the indicator files they name
# (same relative layout, so "indicators = ../iocs/x.csv" still resolves),
# the demo lists, the systemd unit (its ExecStart pointing at this PREFIX)
# and the documentation.
DOCDIR = $(PREFIX)/share/doc/sighted
UNITDIR = $(PREFIX)/lib/systemd/system
install: $(BIN) install-dask
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/sighted
	install -D -m 0644 docs/sighted.1 $(DESTDIR)$(PREFIX)/share/man/man1/sighted.1
	install -d $(DESTDIR)$(DATADIR)/campaigns $(DESTDIR)$(DATADIR)/demo $(DESTDIR)$(DOCDIR)
	install -m 0644 data/campaigns/*.conf $(DESTDIR)$(DATADIR)/campaigns/
	sed -n 's/^[[:space:]]*indicators[[:space:]]*=[[:space:]]*//p' data/campaigns/*.conf | \
	  sort -u | while read -r f; do \
	    case $$f in /*) continue;; esac; \
	    install -D -m 0644 "data/campaigns/$$f" "$(DESTDIR)$(DATADIR)/campaigns/$$f" || exit 1; \
	  done
	install -m 0644 data/demo/* $(DESTDIR)$(DATADIR)/demo/
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/sighted|$(PREFIX)/bin/sighted|' dist/sighted.service >$(DESTDIR)$(UNITDIR)/sighted.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sighted.service
	install -m 0644 README.md docs/*.md docs/openapi.json $(DESTDIR)$(DOCDIR)/

# sighted-dask (dask/README.md): the script finds its package under
# PREFIX/lib/sighted/python; Python from Debian's python3-distributed.
DASK_PY := $(wildcard dask/sighted_dask/*.py)
install-dask:
	install -D -m 0755 dask/sighted-dask $(DESTDIR)$(PREFIX)/bin/sighted-dask
	install -d $(DESTDIR)$(PREFIX)/lib/sighted/python/sighted_dask
	install -m 0644 $(DASK_PY) $(DESTDIR)$(PREFIX)/lib/sighted/python/sighted_dask/

clean:
	rm -rf build sighted

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

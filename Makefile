# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

export RSVP_ENV ?= development
# Extras to install: `make test EXTRAS=dev,icu` adds PyICU (needs libicu-dev, pkg-config, g++).
EXTRAS ?= dev

.PHONY: run test install lint bench clean translations translations-extract

# Compiled catalogues (not in git): built at install, and again whenever a .po changes.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[$(EXTRAS)]'
	$(BIN)/pybabel compile -d translations
	touch $(STAMP)

install: $(STAMP)

# The web app, the email worker and the local mail catcher together; Ctrl+C stops all three.
run: $(STAMP) $(MO_FILES)
	$(BIN)/rsvp db upgrade
	$(BIN)/rsvp demo
	@echo "Emails go to the local mail catcher and are kept in instance/mailcatcher/*.eml"
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/rsvp mailcatcher & \
	$(BIN)/rsvp worker & \
	$(BIN)/rsvp run --host $(HOST) --port $(PORT)

test: $(STAMP) $(MO_FILES)
	RSVP_ENV=testing $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy rsvp

# Every benchmark, each a ratio to a baseline measured in the same run; writes bench/RESULTS.md.
bench: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y -q wrk
	RSVP_ENV=testing $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance .pytest_cache

# Message catalogues: collect every _() from the code and templates into translations/messages.pot and
# merge it into each language's messages.po (then translate the new entries); compile to .mo for the app.
translations-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 --no-location --no-wrap --sort-output \
		--project RSVP --copyright-holder "RSVP contributors" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-wrap \
		--ignore-obsolete --no-fuzzy-matching

translations: $(STAMP) $(MO_FILES)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

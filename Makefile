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

# The benchmark (bench/README.md); options through BENCH_ARGS, e.g. make bench BENCH_ARGS='--duration 5'.
bench: install
	@bench/install.sh
	.venv/bin/python -m bench $(BENCH_ARGS)

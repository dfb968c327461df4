# The two commands a newcomer needs: `make run` and `make test`. Each installs what is missing first
# and builds the dashboard when its sources or the schema changed (scripts/bootstrap.sh).
.PHONY: install run test lint typecheck schema docs bench screenshots

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

# docs/configuration.md, rendered from the settings' declarations in api/settings.py.
docs: install
	.venv/bin/keygraph config reference > docs/configuration.md

# The README's screenshots of the dashboard, taken by its browser test (tests/dashboard).
screenshots: install
	KEYGRAPH_SCREENSHOTS_DIR=docs/screenshots .venv/bin/python -m pytest tests/dashboard -k scenario

# The benchmark (bench/README.md); options through BENCH_ARGS, e.g. make bench BENCH_ARGS='--duration 5'.
bench: install
	@bench/install.sh
	.venv/bin/python -m bench $(BENCH_ARGS)

# The container image from the Containerfile, built with buildah on a Debian base made by
# debootstrap (docs/image.md); needs root or sudo, and is not part of `make test`.
.PHONY: image
image:
	@scripts/build-image.sh

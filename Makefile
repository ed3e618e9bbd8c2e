# One named command per chore. `make run` and `make test` work on a fresh machine:
# they install uv when it is missing, then everything else from the lockfile into .venv.
.PHONY: setup run cluster test test-fast lint demo client page page-test bench bench-quick

PYTHON ?= python3
# uv from PATH, else the copy pip installs as a module (`python3 -m uv`).
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
UV_RUN = $(UV) run --frozen
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist worker processes. On the 2-core CI machine 4 workers were as fast as 2 with the
# machine busy, and the tests wait a lot (PostgreSQL, CLI subprocesses, servers starting), which
# extra workers fill; `PYTEST_WORKERS=0` runs serially, `PYTEST_WORKERS=auto` one per core.
PYTEST_WORKERS ?= 4
# Extra pytest arguments, e.g. PYTEST_ARGS="-k import --durations=20".
PYTEST_ARGS ?=
PYTEST = $(UV_RUN) pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
export UV_PYTHON_DOWNLOADS := never
# Installed packages come with their bytecode, and `setup` compiles the project's own: where
# PYTHONDONTWRITEBYTECODE is set (it was on the 2-core test machine), no .pyc is ever written,
# so every `co2calc` subprocess and test worker compiled its ~1,000 modules from source again
# (`co2calc --help`: 5.2 s of CPU before, 2.4 s after, on the loaded machine).
export UV_COMPILE_BYTECODE := 1

setup:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet uv \
		|| $(PYTHON) -m pip install --quiet uv \
		|| $(PYTHON) -m pip install --user --quiet --break-system-packages uv
	$(UV) sync --frozen --python $(PYTHON)
	$(UV_RUN) python -m compileall -q backend bench
	$(MAKE) page

# The web page (frontend/): Node packages from the lockfile, then the Vite build into
# frontend/dist, which `co2calc serve` serves. Each step reruns only when its inputs changed.
PAGE_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(PAGE_SOURCES)
	cd frontend && npm run build

page: frontend/dist/index.html

page-test: frontend/node_modules/.package-lock.json
	cd frontend && npm test

# Migrate the database (CO2CALC_DATABASE_URL, else the per-user SQLite file
# ~/.local/share/co2calc/co2calc.db, which the CLI uses from any directory too), load the demo
# data (once), then serve. The demo's
# log-in hint and `co2calc serve` read the same CO2CALC_HOST/CO2CALC_PORT.
run: export CO2CALC_HOST = $(HOST)
run: export CO2CALC_PORT = $(PORT)
run: setup
	$(UV_RUN) co2calc demo --serving
	$(UV_RUN) co2calc serve --host $(HOST) --port $(PORT)

# The Procfile (an API and two workers, CO2CALC_TASK_BACKEND=procrastinate) against one
# PostgreSQL database, which must exist; migrated and given the demo data first.
CLUSTER_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/co2calc
cluster: export CO2CALC_DATABASE_URL = $(CLUSTER_DATABASE_URL)
cluster: export CO2CALC_TASK_BACKEND = procrastinate
cluster: export CO2CALC_HOST = $(HOST)
cluster: export CO2CALC_PORT = $(PORT)
cluster: setup
	$(UV_RUN) co2calc db upgrade
	$(UV_RUN) co2calc demo --serving
	$(UV_RUN) honcho start -f Procfile

demo: setup
	$(UV_RUN) co2calc demo --reset

# The slowest tests are listed at the end, to keep an eye on what the CI run spends.
test: setup
	$(PYTEST) --durations=25

# The inner loop: everything but the suites marked slow (CLI subprocesses, servers, demo
# builds) or browser.
test-fast: setup
	$(PYTEST) -m "not slow and not browser"

lint: setup
	$(UV_RUN) ruff check backend bench
	$(UV_RUN) ruff format --check backend bench
	$(UV_RUN) mypy

# The benchmarks (bench/README.md): recalculation, CSV import, the status read, the factor
# import's entry counting, workers and the recalculation preview at full size, both databases,
# tables printed and JSON written to bench/results/. `bench-quick` (CI) runs them on a few
# entries so they keep working; nothing asserts a timing.
bench: setup
	$(UV_RUN) python bench/recalculation.py
	$(UV_RUN) python bench/imports.py
	$(UV_RUN) python bench/upload_memory.py
	$(UV_RUN) python bench/status.py
	$(UV_RUN) python bench/factor_counting.py
	$(UV_RUN) python bench/workers.py
	$(UV_RUN) python bench/preview.py
	$(UV_RUN) python bench/replace_counts.py

# Two at a time (each on databases of its own, each table printed whole): about 4 minutes one
# after the other on the 2-core CI machine, most of it building datasets.
QUICK_BENCHES := recalculation imports upload_memory status factor_counting workers preview \
	replace_counts

bench-quick: setup
	$(MAKE) --no-print-directory -j2 --output-sync=target $(QUICK_BENCHES:%=bench-quick-%)

bench-quick-%:
	$(UV_RUN) python bench/$*.py --quick

# The page's typed client, regenerated from the API after a route or schema changed (needs the
# page's Node packages: `npm ci` in frontend/). A test fails while the committed one is stale.
client: setup
	$(UV_RUN) co2calc openapi --output frontend/src/client/openapi.json
	cd frontend && npm run gen:client

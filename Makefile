.PHONY: setup test lint run bench

UV ?= uv

setup:
	$(UV) sync --frozen

test: setup
	$(UV) run --frozen pytest

lint: setup
	$(UV) run --frozen ruff check backend bench
	$(UV) run --frozen ruff format --check backend bench
	$(UV) run --frozen mypy

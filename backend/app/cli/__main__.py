"""`python -m app.cli` is the same as `co2calc`."""

from app.cli import main

main()

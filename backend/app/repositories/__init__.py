"""Repositories own the queries: named methods over an AsyncSession; they never commit."""

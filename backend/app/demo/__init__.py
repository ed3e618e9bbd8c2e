"""Demo dataset: a deterministic generator (pure) and a loader that stores it via services."""

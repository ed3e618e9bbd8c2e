"""HTTP layer: routers call services, never SQL."""

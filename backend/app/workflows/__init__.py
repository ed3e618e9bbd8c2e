"""Multi-step operations over several services: one recalculation, batch by batch."""

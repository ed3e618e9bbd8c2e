"""The names of the `procrastinate` backend's queues, apart from the backend itself, so that
`co2calc worker`'s options can list them without importing the queue and every task."""

IMPORTS_QUEUE = "imports"
RECALCULATIONS_QUEUE = "recalculations"
QUEUES = (IMPORTS_QUEUE, RECALCULATIONS_QUEUE)

"""CSV imports of factors and data entries: one module per job kind, shared reading, the job
meta keys.

- `csv_reading`: decoding, header checks (also run by the API before a job is created), rows
  with their line numbers.
- `factor_import`: the work of a FACTORS job. `data_import`: the work of a DATA_ENTRIES job.
- `meta`: the keys every import writes to `DataIngestionJob.meta` (the one place they are named).
- `jobs`: creating the job row of an import.
"""

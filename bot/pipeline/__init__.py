"""The ingest-and-analyse use case: one cycle over feeds and seed files (`cycle`), the per-item analysis it
runs (`analyze`, also behind `uschina analyze` in `batch`), and the worker processes that run it."""

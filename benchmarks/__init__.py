"""Benchmarks for the ingest cycle, the parser, the command layer and the digest (`python -m benchmarks`)."""

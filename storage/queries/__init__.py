"""Typed queries, one module per table group; each function takes the database first."""

"""The entry points and the composition root: the command line, the long-running bot, the HTTP server,
and the wiring (`runtime`) that builds store, ingest, analysis and adapters from the settings."""

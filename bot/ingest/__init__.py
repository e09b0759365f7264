"""The ingestion edge: fetch feeds safely, parse them, read seed files, normalize entries into items."""

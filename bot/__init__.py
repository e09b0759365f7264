"""uschina: follow US–China relations in Slack, Discord or the console."""

__version__ = "0.1.0"

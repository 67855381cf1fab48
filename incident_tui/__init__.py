"""incident-tui: the war room for production outages, in a terminal."""

__version__ = "0.1.0"

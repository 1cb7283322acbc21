"""Labbaik: an open platform for running a Hajj season."""

__version__ = "0.1.0"

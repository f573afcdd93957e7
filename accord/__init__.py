"""Accord: open-source Service Level Management."""

__version__ = "0.1.0"

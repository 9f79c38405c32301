"""lod: library/Wikimedia case studies as linked open data."""

__version__ = "0.1.0"

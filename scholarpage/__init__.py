"""scholarpage: a researcher's homepage from YAML and Markdown files."""

__version__ = "0.1.0"

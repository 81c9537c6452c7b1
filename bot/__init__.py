"""upkeep: keeps the container image references in git repositories current."""

__version__ = "0.1.0"

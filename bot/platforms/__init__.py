"""Platforms: where branches (and, on forges, pull requests) go."""

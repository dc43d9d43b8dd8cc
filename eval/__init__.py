"""The team's measuring stick: `python -m eval` (see eval/__main__.py)."""

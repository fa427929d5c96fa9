"""The desktop client. `__version__` is the one place the version is written (pyproject reads it)."""

__version__ = "0.1.0"

"""tqcheck: a multilingual translation-quality checker.

The public Python API lives in :mod:`tqcheck.api`; importing this package stays cheap
(no torch, no transformers) so the CLI starts fast.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

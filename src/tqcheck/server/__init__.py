"""``tqcheck serve``: a LanguageTool-compatible HTTP API and a review page over one Checker.

Needs the ``serve`` extra (starlette, uvicorn, python-multipart); nothing here is imported by
the CLI until ``tqcheck serve`` runs.
"""

from __future__ import annotations

from tqcheck.server.app import ServeSettings, create_app

__all__ = ["ServeSettings", "create_app"]

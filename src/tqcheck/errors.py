"""Errors the user can fix. The CLI prints them as one line on stderr and exits with ``exit_code``."""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2


class TqcheckError(Exception):
    """An error with a message meant for the user; never shown with a traceback."""

    exit_code = EXIT_USAGE


class InputError(TqcheckError):
    """A document that cannot be read: missing, a directory, binary, badly encoded, empty."""


class ConfigError(TqcheckError):
    """A configuration file or option that is invalid."""


class DeviceError(ConfigError):
    """A device asked for by name (``--device cuda``) that is not there: the whole run stops (exit 2),
    unlike a missing model, which only skips its signal."""


class ModelError(TqcheckError):
    """A model folder that exists but cannot be loaded (corrupt, incomplete, unsafe)."""


class OutputError(TqcheckError):
    """An output file that cannot be written (read-only directory, full disk)."""

"""Errors raised by the PDF indexer."""
from __future__ import annotations

from pathlib import Path

from .filenames import display_name


class RejectedPDF(Exception):
    """A file that cannot be ingested, with a short English reason.

    ``str(err)`` gives ``"<file name>: <reason>"`` so it can be shown to a user as is.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{display_name(self.path.name)}: {reason}")

    def __str__(self) -> str:
        return f"{display_name(self.path.name)}: {self.reason}"

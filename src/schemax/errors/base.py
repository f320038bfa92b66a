"""The root of the hierarchy and the message helpers every family shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class SchemaxError(Exception):
    """Root of every error schemax raises."""

    #: True for refusals on purpose (the command line exits 2 for them instead of 1).
    blocked: ClassVar[bool] = False

    def cli_message(self) -> str:
        """The message in the command line's terms (``--abandon`` rather than ``abandon=True``); the
        ``schemax`` command prints this one. The same as ``str(self)`` unless a class says otherwise."""
        return str(self)



class NotFoundError(SchemaxError):
    """A named object, snapshot, environment or deployment does not exist. ``suggestions`` are the
    closest names that do exist (did you mean ...?), best first; ``known`` every name that exists where
    that is short enough to list (environments, projects), else empty."""

    def __init__(self, what: str, name: str, suggestions: Sequence[str] = (),
                 known: Sequence[str] = ()) -> None:
        self.what = what
        self.name = name
        self.suggestions = list(suggestions)
        self.known = list(known)
        super().__init__(f"{what} not found: {name}{_did_you_mean(self.suggestions, self.known)}")


def _did_you_mean(suggestions: Sequence[str], known: Sequence[str]) -> str:
    if suggestions:
        return f" (did you mean {' or '.join(repr(s) for s in suggestions)}?)"
    if known:
        return f" (there are: {', '.join(known)})"
    return ""



def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _ids(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f", ... {len(ids) - limit} more" if len(ids) > limit else "") if ids else "none"

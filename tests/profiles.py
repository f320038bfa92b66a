"""How many examples the property tests draw (issue 12: a quicker suite that loses no test).

``make test`` and CI draw a quarter of each property test's thorough count (at least 20, never more
than it); with ``SCHEMAX_THOROUGH=1`` every test draws its full count and tests without an explicit count
load the hypothesis profile ``thorough`` (the ``ci`` profile otherwise; both registered in
``conftest.py``). The explicit ``@example`` cases run either way.
"""

from __future__ import annotations

import os

THOROUGH = os.environ.get("SCHEMAX_THOROUGH", "").strip().lower() not in ("", "0", "false", "no")


def examples(thorough: int) -> int:
    """The ``max_examples`` of a property test whose thorough count is ``thorough``."""
    return thorough if THOROUGH else min(thorough, max(20, thorough // 4))

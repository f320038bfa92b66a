"""The live tier's one case that always collects: skipped with the count of live cases when no workspace
is configured (see ``conftest.py``); with one, it checks that the workspace answers."""

from __future__ import annotations

import pytest


def test_live_tier_is_configured() -> None:
    sdk = pytest.importorskip("databricks.sdk")
    me = sdk.WorkspaceClient().current_user.me()
    assert me.user_name or me.id, "the workspace did not say who we are"

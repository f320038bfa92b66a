"""MemoryStore keeps the Store contract the Delta store keeps (tests/store_contract.py, also run by
tests/integration/test_delta_store.py)."""

from __future__ import annotations

import pytest

from schemax.adapters.memory import MemoryStore
from schemax.ports import ProjectRecord
from store_contract import StoreContract


@pytest.fixture()
def store() -> MemoryStore:
    st = MemoryStore()
    st.ensure()
    return st


class TestMemoryStoreContract(StoreContract):
    def commits(self, store: MemoryStore) -> int:
        return store.commits


def test_list_projects_is_exactly_the_saved_ones_sorted(store: MemoryStore) -> None:
    store.create_project(ProjectRecord("p", "2026-01-01T00:00:00.000000Z", "me"))
    store.save_project(ProjectRecord("a", "t", "me"))
    store.save_project(ProjectRecord("p", "2026-01-01T00:00:00.000000Z", "me", {"k": "v"}))
    assert store.list_projects() == ["a", "p"]

"""The notebook-facing API: :class:`Project`, a thin typed façade over the op log and the services.

Its parts, one module each: the op log, batching and name resolution (``base.py``); design ops by object
family (``catalogs.py``, ``tables.py``, ``objects.py``); snapshots (``snapshots.py``); settings and
environments (``environments.py``); integrity, export and import (``integrity.py``); and the methods that
build services (``facade.py``). This module opens projects and displays them.
"""

from __future__ import annotations

import logging
import os
from html import escape
from typing import Any

from schemax.adapters.memory import MemoryStore
from schemax.core.names import close_names
from schemax.core.ops import utc_now
from schemax.core.words import count
from schemax.display import CSS, env_badge, env_label
from schemax.engines import DEFAULT_STORE, store_for
from schemax.errors import ProjectNotFoundError
from schemax.ports import ProjectRecord, Store
from schemax.project.base import resolve_author
from schemax.project.catalogs import CatalogDesign
from schemax.project.design import DesignFiles
from schemax.project.environments import EnvironmentDesign
from schemax.project.facade import ServiceFacade
from schemax.project.integrity import Integrity
from schemax.project.objects import ObjectDesign
from schemax.project.tables import TableDesign
from schemax.services.exchange import import_export, read_export

log = logging.getLogger("schemax")


class Project(CatalogDesign, TableDesign, ObjectDesign, EnvironmentDesign, DesignFiles, Integrity,
              ServiceFacade):
    """A schemax project: op log, snapshots and (later) environments, kept in a store.

    Open or create one with :meth:`Project.open` / :meth:`Project.create`; do not call the constructor.
    """

    # ------------------------------------------------------------------------------------------------
    # opening
    # ------------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, spark: Any, name: str, store: str | Store | None = DEFAULT_STORE, *,
               author: str | None = None, settings: dict[str, Any] | None = None) -> Project:
        """Create a project in ``store``; ProjectExistsError if it is already there."""
        st, executor = store_for(spark, store)
        st.ensure_once()
        who = author or resolve_author(executor)
        record = ProjectRecord(name=name, created_at=utc_now(), created_by=who, settings=dict(settings or {}))
        st.create_project(record)
        log.info("created project %s in %s", name, st.location)
        return cls(st, record, author=who, executor=executor)

    @classmethod
    def in_memory(cls, name: str, *, author: str | None = None) -> Project:
        """A project kept in memory, with no engine: design, snapshot, diff and review anywhere (CI, a
        laptop without Java). Move it to a real store with :meth:`export_json` / :meth:`import_json`."""
        return cls.create(None, name, store=MemoryStore(f"memory:{name}"), author=author)

    @classmethod
    def open(cls, spark: Any, name: str, store: str | Store | None = DEFAULT_STORE, *,
             author: str | None = None) -> Project:
        """Open an existing project; ProjectNotFoundError if the store does not hold it."""
        st, executor = store_for(spark, store)
        st.ensure_once()
        first = st.read_changes(name)  # the project's row, its ops and snapshots: one read
        if first.project is None:
            # not found: one more query, only on this path, for the did-you-mean suggestions
            raise ProjectNotFoundError(name, st.location, close_names(name, st.list_projects()))
        project = cls(st, first.project, author=author or resolve_author(executor), executor=executor)
        project.records.load(first)
        return project

    @classmethod
    def import_json(cls, spark: Any, path: str | os.PathLike[str],
                    store: str | Store | None = DEFAULT_STORE, *,
                    name: str | None = None, author: str | None = None) -> Project:
        """Load an exported project into ``store`` (verifying every hash on the way in).

        A project the store already holds is fast-forwarded when the file extends its hash chain (only the
        new ops and snapshots are appended), left as is when the file holds nothing new, and refused with
        HistoryDivergedError (the first divergent op, and what each side has beyond it) when the two
        histories forked. What was done is in the returned project's ``last_import``
        (:class:`~schemax.services.exchange.ImportResult`).
        """
        export = read_export(path, name=name)
        st, executor = store_for(spark, store)
        st.ensure_once()
        result = import_export(st, export)
        first = st.read_changes(export.record.name)  # the row, ops and snapshots as imported: one read
        project = cls(st, first.project or export.record, author=author or resolve_author(executor),
                      executor=executor)
        project.records.load(first)
        project.last_import = result
        return project

    # ------------------------------------------------------------------------------------------------
    # display
    # ------------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Project(name={self.name!r}, store={self.store.location!r}, ops={self.last_seq})"

    def _repr_html_(self) -> str:
        state = self.state()
        snaps = self.snapshots()
        status = self.status()
        rows = "".join(
            f"<tr><td><b>{escape(s.version)}</b></td><td>{escape(s.name)}</td><td>{escape(s.ts[:19])}</td>"
            f"<td>{escape(s.created_by)}</td><td><code>{s.hash[:12]}</code></td>"
            f"<td>{' '.join(env_badge(e) for e, v in sorted(status.deployed.items()) if v == s.version)}</td>"
            f"</tr>"
            for s in reversed(snaps))
        envs = "".join(
            f"<tr><td>{env_label(name)}</td>"
            f"<td>{escape(', '.join(f'{k} → {v}' for k, v in sorted(env.catalogs.items())) or '-')}</td>"
            f"<td>{escape(status.deployed.get(name) or '-')}</td></tr>"
            for name, env in self.environments().items())
        counts = " · ".join(count(n, word) for n, word in (
            (self.last_seq, "op"), (len(state.catalogs), "catalog"), (len(state.schemas), "schema"),
            (len(state.tables), "table"), (len(state.views), "view"), (len(snaps), "snapshot"),
            (status.uncommitted_ops, "uncommitted op")))
        return (
            f"{CSS}<div class='sx schemax-project'><h4>schemax project <code>{escape(self.name)}</code> "
            f"<span style='font-weight:400;color:#57606a'>in {escape(self.store.location)}</span></h4>"
            f"<p>{counts}</p>"
            + (f"<table><tr><th>environment</th><th>catalogs</th><th>deployed</th></tr>{envs}</table>"
               if envs else "")
            + (f"<table><tr><th>version</th><th>name</th><th>when</th><th>by</th><th>hash</th>"
               f"<th>deployed to</th></tr>{rows}</table>" if rows else "<p><i>no snapshots yet</i></p>")
            + "</div>"
        )


__all__ = ["Project"]

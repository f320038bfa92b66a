"""What happened where: deployment history and project status, as values that display in notebooks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from schemax.core.environment import StatementRecord
from schemax.display import CSS, deployment_html, env_label, snapshots_html, timeline_svg
from schemax.ports import Store
from schemax.records import ProjectRecords
from schemax.services.deploy import Deployment


class History(Sequence[Any]):
    """Deployments, newest first. Indexable like a list; renders as a table in notebooks."""

    def __init__(self, deployments: list[Any]) -> None:
        self._items = deployments

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        return self._items[i]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [d.to_dict() for d in self._items]

    def __repr__(self) -> str:
        return "History(\n" + "".join(f"  {d!r}\n" for d in self._items) + ")"

    def _repr_html_(self) -> str:
        return deployment_html(self._items)


@dataclass(frozen=True)
class ProjectStatus:
    """Which version runs in each environment, unfinished deployments, ops not yet in a snapshot."""

    project: str
    latest_snapshot: str | None
    uncommitted_ops: int
    deployed: dict[str, str | None]
    unfinished: dict[str, str] = field(default_factory=dict)
    snapshots: Sequence[Any] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "latest_snapshot": self.latest_snapshot,
                "uncommitted_ops": self.uncommitted_ops, "deployed": dict(self.deployed),
                "unfinished": dict(self.unfinished)}

    def __str__(self) -> str:
        lines = [f"project {self.project}: latest snapshot {self.latest_snapshot or '-'}, "
                 f"{self.uncommitted_ops} uncommitted op(s)"]
        for env, version in self.deployed.items():
            extra = f"  (unfinished: {self.unfinished[env]})" if env in self.unfinished else ""
            lines.append(f"  {env:<12} {version or '-'}{extra}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{env_label(e)}</td><td>{escape(v or '-')}</td>"
                       f"<td>{escape(self.unfinished.get(e, ''))}</td></tr>"
                       for e, v in self.deployed.items())
        deployed = {e: v for e, v in self.deployed.items() if v}
        return (f"{CSS}<div class='sx'><h4>{escape(self.project)}</h4><p>latest snapshot "
                f"<b>{escape(self.latest_snapshot or '-')}</b>, {self.uncommitted_ops} uncommitted op(s)</p>"
                f"<table><tr><th>environment</th><th>deployed</th><th>unfinished</th></tr>{rows}</table></div>"
                + timeline_svg(self.snapshots, deployed) + snapshots_html(self.snapshots, deployed))


def history(store: Store, project: str, env: str | None = None) -> History:
    """A project's deployments (of one environment, or all), newest first, each with its statements: two
    store reads whatever the number of deployments (one per deployment would be a round trip each)."""
    records = store.read_deployments(project, env)
    if len(records) <= 1:
        return History([Deployment(rec, store.read_statements(project, rec.deployment_id))
                        for rec in records])
    by_deployment: dict[str, list[StatementRecord]] = {}
    for st in store.read_all_statements(project):
        by_deployment.setdefault(st.deployment_id, []).append(st)
    return History([Deployment(rec, by_deployment.get(rec.deployment_id, [])) for rec in records])


def project_status(records: ProjectRecords) -> ProjectStatus:
    """Which version each environment runs (its last successful deployment), unfinished deployments
    (the latest one failed or still in progress), and how many ops are not in a snapshot yet."""
    deployed: dict[str, str | None] = {}
    unfinished: dict[str, str] = {}
    with records.reading():  # ONE store read: the project's row, the log's tail, new snapshots, deployments
        every = records.deployments()
        for name in records.environments():
            recs = [r for r in every if r.environment == name]
            ok = next((r for r in recs if r.status == "success"), None)
            deployed[name] = ok.to_version if ok else None
            if recs and recs[0].status in ("failed", "interrupted", "in_progress"):
                unfinished[name] = f"{recs[0].deployment_id} ({recs[0].status})"
        latest = records.latest_snapshot()
        return ProjectStatus(project=records.name, latest_snapshot=latest.version if latest else None,
                             uncommitted_ops=len(records.uncommitted_ops()), deployed=deployed,
                             unfinished=unfinished, snapshots=records.snapshots())


__all__ = ["History", "ProjectStatus", "history", "project_status"]

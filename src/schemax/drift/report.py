"""The drift vocabulary: :class:`DriftFinding` (one difference) and :class:`DriftReport` (a whole scan).

A finding follows the design's ``DriftInfo``: ``object_type``, ``object_name`` (physical, fully qualified,
dotted: ``spark_catalog.dev_sales.orders.email``), ``expected``, ``actual`` (strings or None), ``issue``
(``missing`` | ``modified`` | ``extra``) and ``detail`` (which aspect: ``type``, ``nullability``,
``comment``, a property or tag key, the principal of a grant, ``schemax.version``, ...). ``owner`` names
the table, view or schema a finding belongs to, so a report can be read table by table.

The report renders for three readers: ``to_json()`` for jobs and the ``drift_scans`` table, ``summary()`` for
a terminal or a job log, and ``_repr_html_()`` for an on-call engineer in a notebook.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from schemax.core import kinds, tracking
from schemax.core.words import count

Issue = Literal["missing", "modified", "extra"]
ISSUES: tuple[str, ...] = ("missing", "modified", "extra")


def _type_order() -> dict[str, int]:
    """Sort order of object types inside one owner: the owner itself first, then its parts. Top-level kinds
    by depth (catalog 0, schema 1, tables, views, ... 2), the kinds held in a table after them in registry
    order (column 3, constraint 4), then properties, tags and grants."""
    order = {k.name: k.depth - 1 for k in kinds.top_level()}
    last = max(order.values())
    for k in kinds.KINDS:
        if not k.top_level:
            last += 1
            order[k.name] = last
    order["property"], order["tag"], order["grant"] = last + 1, last + 2, last + 3
    return order


_TYPE_ORDER = _type_order()


@dataclass(frozen=True)
class DriftFinding:
    """One difference between what the environment should hold and what the live catalog holds."""

    object_type: str
    object_name: str
    issue: Issue
    expected: str | None = None
    actual: str | None = None
    detail: str = ""
    owner: str = ""  # full name of the table/view/schema/catalog the finding is grouped under

    def sort_key(self) -> tuple[Any, ...]:
        return (
            (self.owner or self.object_name).lower(),
            _TYPE_ORDER.get(self.object_type, 9),
            self.object_name.lower(),
            self.detail.lower(),
            self.issue,
        )

    @property
    def message(self) -> str:
        """One plain sentence: what is different, where."""
        what = f"{self.object_type} {self.object_name}"
        if self.object_type in ("property", "tag"):
            what = f"{self.object_type} {self.detail!r} on {self.object_name}"
        elif self.object_type == "grant":
            return self._grant_message()
        if self.issue == "missing":
            text = f"{what} is missing"
            if self.expected is not None and self.object_type in ("property", "tag"):
                text += f" (expected {self.expected!r})"
        elif self.issue == "extra":
            text = f"{what} exists but is not in the project"
            if self.actual is not None and self.object_type in ("property", "tag"):
                text += f" (value {self.actual!r})"
        else:
            aspect = (
                "" if self.object_type in ("property", "tag") else f" {self.detail}" if self.detail else ""
            )
            text = f"{what}{aspect} differs: expected {_show(self.expected)}, actual {_show(self.actual)}"
        if self.detail and self.issue != "modified" and self.object_type not in ("property", "tag"):
            text += f" - {self.detail}"
        return text

    def _grant_message(self) -> str:
        where = f"on {self.object_name} to {self.detail!r}"
        if self.issue == "missing":
            return f"grant of {_show(self.expected)} {where} is missing"
        if self.issue == "extra":
            return f"grant of {_show(self.actual)} {where} exists but is not in the project"
        return f"grants {where} differ: expected {_show(self.expected)}, actual {_show(self.actual)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "object_type": self.object_type,
            "object_name": self.object_name,
            "issue": self.issue,
            "expected": self.expected,
            "actual": self.actual,
            "detail": self.detail,
            "owner": self.owner,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DriftFinding:
        return cls(
            object_type=data["object_type"],
            object_name=data["object_name"],
            issue=data["issue"],
            expected=data.get("expected"),
            actual=data.get("actual"),
            detail=data.get("detail") or "",
            owner=data.get("owner") or "",
        )

    def __str__(self) -> str:
        return f"[{self.issue}] {self.message}"


def is_tracking_finding(finding: DriftFinding) -> bool:
    """True for drift in schemax's own version tracking only (``schemax.version`` / ``schemax.hash`` of a
    table): a re-stamp repairs it, nothing in the table's definition differs."""
    return (finding.object_type == "table" and finding.issue == "modified"
            and finding.detail in tracking.VERSION_KEYS)


def _show(value: str | None) -> str:
    return "(none)" if value is None else repr(value)


@dataclass(frozen=True)
class DriftReport:
    """The result of comparing an environment's expected state with the live catalog."""

    findings: tuple[DriftFinding, ...] = ()
    scanned: Mapping[str, int] = field(default_factory=dict)
    expected_version: str | None = None
    notes: tuple[str, ...] = ()
    unrepresentable: tuple[str, ...] = ()
    unobserved: tuple[str, ...] = ()
    queries: int | None = None
    environment: str = ""

    @property
    def drifted(self) -> bool:
        return bool(self.findings)

    def counts(self) -> dict[str, int]:
        out = {issue: 0 for issue in ISSUES}
        for f in self.findings:
            out[f.issue] = out.get(f.issue, 0) + 1
        return out

    def by_owner(self) -> dict[str, list[DriftFinding]]:
        """Findings grouped by the table/view/schema they belong to, in report order."""
        groups: dict[str, list[DriftFinding]] = {}
        for f in self.findings:
            groups.setdefault(f.owner or f.object_name, []).append(f)
        return groups

    def filter(self, *, issue: str | None = None, object_type: str | None = None) -> list[DriftFinding]:
        return [
            f
            for f in self.findings
            if (issue is None or f.issue == issue) and (object_type is None or f.object_type == object_type)
        ]

    # -- serialization ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "drifted": self.drifted,
            "environment": self.environment,
            "expected_version": self.expected_version,
            "counts": self.counts(),
            "scanned": dict(self.scanned),
            "queries": self.queries,
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
            "unrepresentable": list(self.unrepresentable),
            "unobserved": list(self.unobserved),
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DriftReport:
        return cls(
            findings=tuple(DriftFinding.from_dict(f) for f in data.get("findings", [])),
            scanned=dict(data.get("scanned") or {}),
            expected_version=data.get("expected_version"),
            notes=tuple(data.get("notes") or ()),
            unrepresentable=tuple(data.get("unrepresentable") or ()),
            unobserved=tuple(data.get("unobserved") or ()),
            queries=data.get("queries"),
            environment=data.get("environment") or "",
        )

    @classmethod
    def from_json(cls, text: str) -> DriftReport:
        return cls.from_dict(json.loads(text))

    # -- text -----------------------------------------------------------------------------------------
    def _scanned_text(self) -> str:
        # the keys are plural field names (tables, columns): one of them is said in the singular
        parts = [count(n, k[:-1] if k.endswith("s") else k, k) for k, n in self.scanned.items() if n]
        return ", ".join(parts) if parts else "nothing"

    def summary(self) -> str:
        where = f" in {self.environment}" if self.environment else ""
        version = f" (expected version {self.expected_version})" if self.expected_version else ""
        head = f"scanned {self._scanned_text()}{version}"
        if not self.drifted:
            lines = [f"no drift{where}: {head}"]
        else:
            c = self.counts()
            lines = [
                f"DRIFT{where}: {len(self.findings)} finding(s) - {c['missing']} missing, "
                f"{c['modified']} modified, {c['extra']} extra; {head}"
            ]
            for owner, items in self.by_owner().items():
                lines.append(f"  {owner}")
                for f in items:
                    lines.append(f"    {f.issue:<8} {f.message}")
        if self.unobserved:
            lines.append(f"  not checked here: {', '.join(self.unobserved)}")
        for item in self.unrepresentable:
            lines.append(f"  unrepresentable: {item}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    # -- notebook ------------------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        e = html.escape
        c = self.counts()
        status_cls = "drift" if self.drifted else "clean"
        status = (f"Drift: {len(self.findings)} finding(s)" if self.drifted else "No drift") + (
            f" in {e(self.environment)}" if self.environment else ""
        )
        meta = [f"scanned {e(self._scanned_text())}"]
        if self.expected_version:
            meta.append(f"expected version <code>{e(self.expected_version)}</code>")
        if self.queries is not None:
            meta.append(count(self.queries, "catalog query", "catalog queries"))
        out = [
            f"<div class='sxd'><style>{_CSS}</style>",
            f"<div class='sxd-head sxd-{status_cls}'><b>{status}</b>",
        ]
        if self.drifted:
            out.append(" ".join(f"<span class='sxd-badge sxd-{i}'>{c[i]} {i}</span>" for i in ISSUES if c[i]))
        out.append(f"<div class='sxd-meta'>{' &middot; '.join(meta)}</div></div>")
        for owner, items in self.by_owner().items():
            kinds = sorted({f.issue for f in items}, key=ISSUES.index)
            badges = " ".join(f"<span class='sxd-badge sxd-{k}'>{k}</span>" for k in kinds)
            out.append(f"<details open class='sxd-group'><summary><code>{e(owner)}</code> {badges}</summary>")
            out.append(
                "<table class='sxd-table'><thead><tr><th>issue</th><th>object</th><th>aspect</th>"
                "<th>expected</th><th>actual</th></tr></thead><tbody>"
            )
            for f in items:
                name = f.object_name
                if (
                    owner
                    and name.lower().startswith(owner.lower() + ".")
                    and f.object_type not in ("property", "tag")
                ):
                    name = name[len(owner) + 1 :]
                obj = f"{e(f.object_type)} <code>{e(name)}</code>"
                out.append(
                    f"<tr><td><span class='sxd-badge sxd-{e(f.issue)}'>{e(f.issue)}</span></td>"
                    f"<td>{obj}</td><td>{e(f.detail)}</td>"
                    f"<td>{_cell(f.expected)}</td><td>{_cell(f.actual)}</td></tr>"
                )
            out.append("</tbody></table></details>")
        extra_lists = [
            ("Not checked by this reader", self.unobserved),
            ("Seen but not representable (reported, not compared)", self.unrepresentable),
            ("How the catalog was read", self.notes),
        ]
        for title, entries in extra_lists:
            if entries:
                lis = "".join(f"<li>{e(i)}</li>" for i in entries)
                out.append(
                    f"<details class='sxd-notes'><summary>{e(title)} ({len(entries)})</summary>"
                    f"<ul>{lis}</ul></details>"
                )
        out.append("</div>")
        return "".join(out)


def _cell(value: str | None) -> str:
    if value is None:
        return "<span class='sxd-none'>(none)</span>"
    return f"<code>{html.escape(value)}</code>"


_CSS = """
.sxd{font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,sans-serif;font-size:13px;
  color:#1f2328;max-width:1100px}
.sxd code{font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;
  white-space:pre-wrap;word-break:break-word}
.sxd-head{padding:8px 12px;border-radius:6px;margin:4px 0 8px}
.sxd-drift{background:#fff1f0;border:1px solid #ffccc7}
.sxd-clean{background:#f0fff4;border:1px solid #b7eb8f}
.sxd-meta{color:#57606a;font-size:12px;margin-top:2px}
.sxd-badge{display:inline-block;padding:0 7px;border-radius:10px;
  font-size:11px;font-weight:600;margin-left:4px;color:#fff}
.sxd-missing{background:#cf222e}.sxd-modified{background:#bf8700}.sxd-extra{background:#0969da}
.sxd-group{margin:6px 0;border:1px solid #d0d7de;border-radius:6px;padding:4px 8px}
.sxd-group summary{cursor:pointer;padding:2px 0}
.sxd-table{border-collapse:collapse;width:100%;margin:4px 0}
.sxd-table th{text-align:left;color:#57606a;font-weight:600;border-bottom:1px solid #d0d7de;padding:3px 6px}
.sxd-table td{border-bottom:1px solid #eaeef2;padding:3px 6px;vertical-align:top}
.sxd-none{color:#8c959f;font-style:italic}
.sxd-notes{margin:6px 0;color:#57606a}
"""


def sort_findings(findings: Iterable[DriftFinding]) -> tuple[DriftFinding, ...]:
    return tuple(sorted(findings, key=DriftFinding.sort_key))


__all__ = ["ISSUES", "DriftFinding", "DriftReport", "Issue", "is_tracking_finding", "sort_findings"]

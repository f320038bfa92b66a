"""Table comparisons: columns, constraints, key options, generation, clustering and version drift (pure)."""

from __future__ import annotations

from schemax.core import tracking
from schemax.core.model import (
    Column,
    Constraint,
    Table,
)
from schemax.drift.compare.base import _ComparerBase
from schemax.drift.compare.scope import _Index
from schemax.drift.compare.text import (
    _RENAME_HINT,
    _clustering_text,
    _column_text,
    _identity_text,
    _kind_text,
    _norm_location,
    _norm_sql,
    _norm_text,
    _norm_type,
    _null_text,
    _rely_text,
)


class _TableComparer(_ComparerBase):
    def compare_table(self, name: str, exp: Table, obs: Table) -> None:
        if exp.table_type != obs.table_type:
            self.add("table", name, "modified", exp.table_type, obs.table_type, "table type")
        if exp.format.upper() != obs.format.upper():
            self.add("table", name, "modified", exp.format.upper(), obs.format.upper(), "format")
        if exp.location:
            e, a = _norm_location(exp.location), _norm_location(obs.location)
            if e != a:
                self.add("table", name, "modified", e, a, "location")
        self.compare_text("table", name, "comment", exp.comment, obs.comment)
        if self.sees("partitioning", name):
            self.compare_name_list(
                name, "partitioning", exp.column_names(exp.partition_by), obs.column_names(obs.partition_by)
            )
        if self.sees("clustering", name):
            if exp.cluster_auto or obs.cluster_auto:
                # with CLUSTER BY AUTO the keys are Databricks' choice: only whether AUTO is on is compared
                if exp.cluster_auto != obs.cluster_auto:
                    self.add(
                        "table", name, "modified", _clustering_text(exp), _clustering_text(obs), "clustering"
                    )
            else:
                self.compare_name_list(
                    name, "clustering", exp.column_names(exp.cluster_by), obs.column_names(obs.cluster_by)
                )
        self.compare_columns(name, exp, obs)
        if self.sees("constraints", name):
            self.compare_constraints(name, exp, obs)
        self.compare_properties(name, exp.properties, obs.properties)
        self.compare_tags(name, exp.tags, obs.tags, name)
        self.compare_row_filter(name, exp, obs)
        self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)
        self.compare_version(name, obs)

    def compare_name_list(self, name: str, detail: str, exp: list[str], act: list[str]) -> None:
        if [e.lower() for e in exp] != [a.lower() for a in act]:
            self.add("table", name, "modified", ", ".join(exp) or None, ", ".join(act) or None, detail)

    def compare_columns(self, table: str, exp: Table, obs: Table) -> None:
        obs_by = {c.name.lower(): c for c in obs.columns}
        exp_by = {c.name.lower(): c for c in exp.columns}
        missing = [c for c in exp.columns if c.name.lower() not in obs_by]
        extra = [c for c in obs.columns if c.name.lower() not in exp_by]
        hint = f" ({_RENAME_HINT})" if missing and extra else ""
        for c in missing:
            self.add(
                "column",
                f"{table}.{c.name}",
                "missing",
                _column_text(c),
                None,
                f"column not found{hint}",
                table,
            )
        for c in extra:
            self.add(
                "column",
                f"{table}.{c.name}",
                "extra",
                None,
                _column_text(c),
                f"column not in the project{hint}",
                table,
            )
        for c in exp.columns:
            o = obs_by.get(c.name.lower())
            if o is None:
                continue
            cname = f"{table}.{c.name}"
            et, at = _norm_type(c.type), _norm_type(o.type)
            if et != at:
                self.add("column", cname, "modified", et, at, "type", table)
            if c.nullable != o.nullable and self.sees("nullability", table):
                self.add(
                    "column",
                    cname,
                    "modified",
                    _null_text(c.nullable),
                    _null_text(o.nullable),
                    "nullability",
                    table,
                )
            if self.sees("column_comments", table):
                self.compare_text("column", cname, "comment", c.comment, o.comment, table)
            if self.sees("column_defaults", table) and _norm_sql(c.default) != _norm_sql(o.default):
                self.add(
                    "column",
                    cname,
                    "modified",
                    _norm_text(c.default),
                    _norm_text(o.default),
                    "default",
                    table,
                )
            if self.sees("generation", table):
                self.compare_generation(table, cname, c, o)
            self.compare_tags(cname, c.tags, o.tags, table)
            self.compare_mask(table, cname, exp, c, obs, o)
        common_exp = [c.name.lower() for c in exp.columns if c.name.lower() in obs_by]
        common_obs = [c.name.lower() for c in obs.columns if c.name.lower() in exp_by]
        if common_exp != common_obs:
            names_e = [exp_by[n].name for n in common_exp]
            names_o = [obs_by[n].name for n in common_obs]
            self.add("table", table, "modified", ", ".join(names_e), ", ".join(names_o), "column order")

    def compare_constraints(self, table: str, exp: Table, obs: Table) -> None:
        obs_by = {c.name.lower(): c for c in obs.constraints}
        exp_by = {c.name.lower(): c for c in exp.constraints}
        for c in exp.constraints:
            cname = f"{table}.{c.name}"
            o = obs_by.get(c.name.lower())
            if o is None:
                self.add(
                    "constraint",
                    cname,
                    "missing",
                    self.constraint_text(self.exp, exp, c),
                    None,
                    f"{_kind_text(c.kind)} constraint not found",
                    table,
                )
                continue
            if c.kind != o.kind:
                self.add(
                    "constraint", cname, "modified", _kind_text(c.kind), _kind_text(o.kind), "kind", table
                )
                continue
            if c.kind == "check":
                if _norm_sql(c.expression) != _norm_sql(o.expression):
                    self.add("constraint", cname, "modified", c.expression, o.expression, "expression", table)
                continue
            ecols = [n.lower() for n in exp.column_names(c.columns)]
            ocols = [n.lower() for n in obs.column_names(o.columns)]
            if ecols != ocols:
                self.add(
                    "constraint",
                    cname,
                    "modified",
                    ", ".join(exp.column_names(c.columns)),
                    ", ".join(obs.column_names(o.columns)),
                    "columns",
                    table,
                )
            if self.sees("key_options", table):
                self.compare_key_options(table, cname, exp, obs, c, o)
            if c.kind == "foreign_key":
                eref = self.reference_text(self.exp, c)
                oref = self.reference_text(self.obs, o)
                if (eref or "").lower() != (oref or "").lower():
                    self.add("constraint", cname, "modified", eref, oref, "references", table)
        for o in obs.constraints:
            if o.name.lower() not in exp_by:
                self.add(
                    "constraint",
                    f"{table}.{o.name}",
                    "extra",
                    None,
                    self.constraint_text(self.obs, obs, o),
                    f"{_kind_text(o.kind)} constraint not in the project",
                    table,
                )

    def compare_generation(self, table: str, cname: str, c: Column, o: Column) -> None:
        """A column's generation expression and identity (issue 11); an identity's unset START WITH and
        INCREMENT BY are 1, as Delta stores them."""
        if _norm_sql(c.generated) != _norm_sql(o.generated):
            self.add(
                "column",
                cname,
                "modified",
                _norm_text(c.generated),
                _norm_text(o.generated),
                "generated",
                table,
            )
        if _identity_text(c) != _identity_text(o):
            self.add("column", cname, "modified", _identity_text(c), _identity_text(o), "identity", table)

    def compare_key_options(
        self, table: str, cname: str, exp: Table, obs: Table, c: Constraint, o: Constraint
    ) -> None:
        """RELY and TIMESERIES of a key (issue 11); NOT ENFORCED is how every Databricks key is, so it never
        drifts."""
        if c.rely != o.rely:
            self.add("constraint", cname, "modified", _rely_text(c.rely), _rely_text(o.rely), "rely", table)
        ets = exp.column_names((c.timeseries,))[0] if c.timeseries else None
        ots = obs.column_names((o.timeseries,))[0] if o.timeseries else None
        if (ets or "").lower() != (ots or "").lower():
            self.add("constraint", cname, "modified", ets, ots, "timeseries", table)

    def reference_text(self, idx: _Index, c: Constraint) -> str | None:
        ref = idx.table_name_of(c.ref_table)
        if ref is None:
            return c.ref_table
        t = idx.state.tables[c.ref_table]  # type: ignore[index]
        return f"{ref}({', '.join(t.column_names(c.ref_columns))})"

    def constraint_text(self, idx: _Index, table: Table, c: Constraint) -> str:
        if c.kind == "check":
            return f"CHECK ({c.expression})"
        cols = ", ".join(table.column_names(c.columns))
        if c.kind == "primary_key":
            return f"PRIMARY KEY ({cols})"
        return f"FOREIGN KEY ({cols}) REFERENCES {self.reference_text(idx, c)}"

    def compare_version(self, name: str, obs: Table) -> None:
        if self.expected_version is not None:
            actual = obs.properties.get(tracking.VERSION)
            if actual != self.expected_version:
                self.add("table", name, "modified", self.expected_version, actual, tracking.VERSION)
        expected_hash = self.hashes.get(name.lower())
        if expected_hash is not None:
            actual = obs.properties.get(tracking.HASH)
            if actual != expected_hash:
                self.add("table", name, "modified", expected_hash, actual, tracking.HASH)

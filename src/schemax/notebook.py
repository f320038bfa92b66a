"""What schemax's notebooks share: widgets, display and the SparkSession, in Databricks and outside it.

In a Databricks notebook ``dbutils``, ``displayHTML`` and ``spark`` are globals of the notebook, not
importable names, so a notebook hands its globals over::

    from schemax.notebook import Notebook
    nb = Notebook(globals())
    environment = nb.text("environment", "dev", "Environment")
    nb.show(schemax.plan(environment, spark=nb.spark))

Outside Databricks (a test, a laptop) there are no widgets: a widget's value is ``$SCHEMAX_<NAME>`` or its
default, results print as text, and :meth:`Notebook.engine` is the active session, else the embedded engine.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from schemax.engines import local_spark


class Notebook:
    """Widgets and display for one notebook, from that notebook's globals."""

    def __init__(self, namespace: Mapping[str, Any] | None = None) -> None:
        ns = namespace or {}
        self.dbutils = ns.get("dbutils")
        self._display_html = ns.get("displayHTML")
        self._spark = ns.get("spark")

    @property
    def on_databricks(self) -> bool:
        return self.dbutils is not None

    def text(self, name: str, default: str, label: str | None = None) -> str:
        """A text widget's value (created on first use).

        Outside Databricks: ``$SCHEMAX_<NAME>`` or ``default``.
        """
        if self.dbutils is None:
            return os.environ.get(f"SCHEMAX_{name.upper()}", default)
        self.dbutils.widgets.text(name, default, label or name)
        return str(self.dbutils.widgets.get(name)).strip() or default

    def flag(self, name: str, default: bool, label: str | None = None) -> bool:
        """A true/false text widget."""
        return self.text(name, "true" if default else "false", label).strip().lower() == "true"

    def show(self, obj: Any) -> None:
        """Render a schemax result as HTML in Databricks (``displayHTML``), as text elsewhere."""
        if self._display_html is not None and hasattr(obj, "_repr_html_"):
            self._display_html(obj._repr_html_())
        else:
            print(obj if isinstance(obj, str) else repr(obj))  # a notebook cell's output, not a log line

    @property
    def spark(self) -> Any:
        """The notebook's SparkSession, or None (the schemax shortcuts then take the active session)."""
        return self._spark

    def engine(self) -> Any:
        """A SparkSession to work with: the notebook's, else the active one, else the embedded engine
        (:func:`schemax.engines.local_spark`)."""
        if self._spark is None:
            self._spark = local_spark()
        return self._spark


__all__ = ["Notebook"]

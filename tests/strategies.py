"""Hypothesis strategies shared by the fuzz tests: tricky literal text and nested data types.

Importable from any test module: pytest puts ``tests/`` on ``sys.path`` for the suite's conftest.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from schemax.core import types as sx

# quotes, escapes, line breaks, and what starts a comment or a new statement
SQL_BREAKERS = ("'", "\\", '"', "\n", "\r", "\t", "--", ";", "/*")
# what an escape looks like once written out, and text beyond ASCII (accented, astral, CJK)
ESCAPE_LOOKALIKES = ("''", "\\'", "\\n")
NON_ASCII = ("é", "😀", "日本")


def tricky_text(
    fragments: Sequence[str], characters: st.SearchStrategy[str], *, max_parts: int
) -> st.SearchStrategy[str]:
    """Text joined from up to ``max_parts`` pieces, each a tricky fragment or up to 6 ``characters``."""
    return st.lists(
        st.one_of(st.sampled_from(fragments), st.text(characters, max_size=6)),
        max_size=max_parts,
    ).map("".join)


def data_types(
    *,
    max_length: int,
    intervals: Sequence[sx.IntervalType],
    field_names: st.SearchStrategy[str],
    comments: st.SearchStrategy[str | None],
    collations: Sequence[str] = (),
    max_fields: int,
    max_leaves: int,
) -> st.SearchStrategy[sx.DataType]:
    """Nested data types: primitives, decimals, CHAR/VARCHAR up to ``max_length``, collated strings (when
    ``collations`` are given) and ``intervals`` as leaves; arrays, maps and structs of up to ``max_fields``
    fields (names unique case-insensitively) around them."""
    leaves: list[st.SearchStrategy[sx.DataType]] = [
        st.sampled_from(sorted(sx.PRIMITIVE_NAMES)).map(sx.PrimitiveType),
        st.integers(1, 38).flatmap(lambda p: st.integers(0, p).map(lambda s: sx.DecimalType(p, s))),
        st.integers(1, max_length).map(sx.CharType),
        st.integers(1, max_length).map(sx.VarcharType),
    ]
    if collations:
        leaves.append(st.sampled_from(list(collations)).map(sx.CollatedStringType))
    leaves.append(st.sampled_from(list(intervals)))

    def nested(children: st.SearchStrategy[sx.DataType]) -> st.SearchStrategy[sx.DataType]:
        fields = st.builds(
            sx.StructField, name=field_names, type=children, nullable=st.booleans(), comment=comments
        )
        return st.one_of(
            children.map(sx.ArrayType),
            st.tuples(children, children).map(lambda kv: sx.MapType(kv[0], kv[1])),
            st.lists(fields, max_size=max_fields, unique_by=lambda f: f.name.lower()).map(
                lambda fs: sx.StructType(tuple(fs))
            ),
        )

    return st.recursive(st.one_of(*leaves), nested, max_leaves=max_leaves)

"""Classify a change of a column's data type: same, widening (in place, maybe with Delta's type-widening
table feature) or rewrite, under Databricks' or open-source Delta's rules.
"""

from __future__ import annotations

from typing import Final, Literal

from schemax.core.types.parser import parse_type
from schemax.core.types.values import (
    DOUBLE,
    STRING,
    TIMESTAMP_NTZ,
    VOID,
    ArrayType,
    CharType,
    DataType,
    DecimalType,
    MapType,
    PrimitiveType,
    StructType,
    TypeLike,
    VarcharType,
)


def _as_type(value: TypeLike) -> DataType:
    if isinstance(value, DataType):
        return value
    return parse_type(value)


# ============================================================================================
# Type changes
# ============================================================================================

TypeChange = Literal["same", "widening", "rewrite"]

#: Which engine's type-widening rules apply.
#:
#: * ``"databricks"`` — Databricks Runtime 15.4+ / Delta Lake 4.0 docs: byte->short->int->long;
#:   byte/short/int -> double; byte/short/int -> DECIMAL(p,s) with p-s >= 10, long -> p-s >= 20;
#:   float -> double; DECIMAL(p,s) -> DECIMAL(p+k1,s+k2) with k1 >= k2 >= 0; date -> timestamp_ntz;
#:   VOID -> any type (DBR 18.2+, no table feature needed).
#: * ``"delta"`` — open-source Delta Lake 4.x (Spark 4) stable feature, which dropped the
#:   integer->double/decimal and scale-increasing decimal changes of the preview:
#:   byte->short->int->long; float -> double; DECIMAL precision increase with the *same* scale;
#:   date -> timestamp_ntz.
WideningRules = Literal["databricks", "delta"]

_SAME, _WIDEN, _REWRITE = 0, 1, 2
_CHANGE_NAMES: Final[tuple[TypeChange, TypeChange, TypeChange]] = (
    "same",
    "widening",
    "rewrite",
)

_INTEGRAL_RANK: Final = {"TINYINT": 1, "SMALLINT": 2, "INT": 3, "BIGINT": 4}
# Integer digits a DECIMAL target must keep (Delta reads TINYINT/SMALLINT/INT as INT32).
_INTEGRAL_DECIMAL_DIGITS: Final = {
    "TINYINT": 10,
    "SMALLINT": 10,
    "INT": 10,
    "BIGINT": 20,
}


def _atomic_change(a: DataType, b: DataType, rules: WideningRules) -> tuple[int, bool]:
    """(level, needs the Delta type-widening table feature) for two non-nested types, a != b."""
    databricks = rules == "databricks"
    if isinstance(a, PrimitiveType):
        an = a.name
        if an == "VOID":
            return (_WIDEN, False) if databricks else (_REWRITE, False)
        if an in _INTEGRAL_RANK:
            if isinstance(b, PrimitiveType):
                if b.name in _INTEGRAL_RANK:
                    widen = _INTEGRAL_RANK[b.name] > _INTEGRAL_RANK[an]
                    return (_WIDEN, True) if widen else (_REWRITE, False)
                if b.name == "DOUBLE" and databricks and an != "BIGINT":
                    return _WIDEN, True
            if (
                databricks
                and isinstance(b, DecimalType)
                and b.precision - b.scale >= _INTEGRAL_DECIMAL_DIGITS[an]
            ):
                return _WIDEN, True
            return _REWRITE, False
        if an == "FLOAT" and b == DOUBLE:
            return _WIDEN, True
        if an == "DATE" and b == TIMESTAMP_NTZ:
            return _WIDEN, True
        return _REWRITE, False
    if isinstance(a, DecimalType) and isinstance(b, DecimalType):
        if databricks:
            ok = b.scale >= a.scale and (b.precision - b.scale) >= (a.precision - a.scale)
        else:
            ok = b.scale == a.scale and b.precision >= a.precision
        return (_WIDEN, True) if ok else (_REWRITE, False)
    if isinstance(a, VarcharType):
        if isinstance(b, VarcharType) and b.length > a.length:
            return _WIDEN, False
        if b == STRING:
            return _WIDEN, False
        return _REWRITE, False
    if isinstance(a, CharType) and b == STRING:
        return _WIDEN, False
    return _REWRITE, False


def _change(a: DataType, b: DataType, rules: WideningRules) -> tuple[int, bool]:
    if a == b:
        return _SAME, False
    if isinstance(a, ArrayType) and isinstance(b, ArrayType):
        return _change(a.element, b.element, rules)
    if isinstance(a, MapType) and isinstance(b, MapType):
        k_level, k_feature = _change(a.key, b.key, rules)
        v_level, v_feature = _change(a.value, b.value, rules)
        return max(k_level, v_level), k_feature or v_feature
    if isinstance(a, StructType) and isinstance(b, StructType):
        if len(a.fields) != len(b.fields):
            return _REWRITE, False
        level, feature = _SAME, False
        for fa, fb in zip(a.fields, b.fields, strict=True):
            if fa.name != fb.name:
                return _REWRITE, False
            f_level, f_feature = _change(fa.type, fb.type, rules)
            if fa.nullable != fb.nullable:
                # Dropping NOT NULL is metadata-only; adding it needs the data checked.
                f_level = max(f_level, _WIDEN if fb.nullable else _REWRITE)
            if fa.comment != fb.comment:
                f_level = max(f_level, _WIDEN)
            level = max(level, f_level)
            feature = feature or f_feature
        return level, feature
    if isinstance(a, (ArrayType, MapType, StructType)) or isinstance(b, (ArrayType, MapType, StructType)):
        if a == VOID and rules == "databricks":
            return _WIDEN, False
        return _REWRITE, False
    return _atomic_change(a, b, rules)


def widening(from_type: TypeLike, to_type: TypeLike, *, rules: WideningRules = "databricks") -> TypeChange:
    """Classify changing a column from ``from_type`` to ``to_type``.

    * ``"same"`` — the types are equal (after normalization).
    * ``"widening"`` — the change can be applied in place, without rewriting data:
      a Delta type widening (see :data:`WideningRules`; needs ``delta.enableTypeWidening``, see
      :func:`requires_type_widening`), or a metadata-only relaxation: ``VARCHAR(n)`` ->
      ``VARCHAR(m > n)``, ``CHAR(n)``/``VARCHAR(n)`` -> ``STRING`` (Delta stores them as STRING;
      note CHAR values read back unpadded afterwards), and inside structs a dropped ``NOT NULL``
      or a changed field comment. Changes inside ARRAY/MAP/STRUCT are classified recursively.
    * ``"rewrite"`` — anything else, including every narrowing, adding ``NOT NULL`` to a nested
      field, renaming/adding/removing/reordering struct fields, and collation changes.
    """
    level, _ = _change(_as_type(from_type), _as_type(to_type), rules)
    return _CHANGE_NAMES[level]


def requires_type_widening(
    from_type: TypeLike, to_type: TypeLike, *, rules: WideningRules = "databricks"
) -> bool:
    """True when the change is a ``"widening"`` that needs the Delta ``typeWidening`` feature
    (``delta.enableTypeWidening = true``), as opposed to a metadata-only relaxation."""
    level, feature = _change(_as_type(from_type), _as_type(to_type), rules)
    return level == _WIDEN and feature


def is_narrowing(from_type: TypeLike, to_type: TypeLike, *, rules: WideningRules = "databricks") -> bool:
    """True when ``to_type`` -> ``from_type`` would be a widening (so this change loses range)."""
    a, b = _as_type(from_type), _as_type(to_type)
    return a != b and _change(b, a, rules)[0] == _WIDEN

"""Statements compiled once to the driver's SQL and run straight on a DBAPI cursor.

The journal's hot path writes a few rows per commit; going through SQLAlchemy's
execution machinery for each statement (compiled-cache lookup, parameter
construction, result set-up) costs several times what SQLite spends running it.
A `Prepared` statement is compiled once per dialect, with each parameter's bind
processor taken from its column type, so values are encoded exactly as SQLAlchemy
would encode them (JSON text, UTC timestamps, PostgreSQL casts) and the rows read
back through SQLAlchemy everywhere else. On SQLite, JSON and timestamps (most of a
journal row) get flat encoders that give the same text as SQLAlchemy's layered ones
(tests/store/test_prepared.py holds them to it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import JSON, Boolean, Dialect, Engine, Integer
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeEngine

from intelligent_office.safe_text import escape_surrogates
from intelligent_office.store.schema import UTCDateTime

if TYPE_CHECKING:
    from sqlalchemy.pool import PoolProxiedConnection

__all__ = ["Prepared", "bind_encoder", "in_transaction", "transaction"]

_Processor = Callable[[Any], Any]
_SQLITE_DATETIME = "%04d-%02d-%02d %02d:%02d:%02d.%06d"
"""SQLAlchemy's SQLite DATETIME storage format (its `_storage_format`)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """One statement as the driver's SQL, its parameter order and per-parameter encoders."""

    sql: str
    names: tuple[str, ...]
    positional: bool
    processors: tuple[_Processor | None, ...]
    pairs: tuple[tuple[str, _Processor | None], ...]
    """(name, processor) per parameter, in order: what `parameters` walks."""

    @classmethod
    def compile(
        cls, statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None
    ) -> Prepared:
        """Compile `statement` for `dialect`; an INSERT binds exactly `column_keys`."""
        compiled = cast(
            SQLCompiler,
            statement.compile(
                dialect=dialect, column_keys=list(column_keys) if column_keys else None
            ),
        )
        positional = bool(compiled.positional)
        names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
        processors = tuple(_encoder(compiled.binds[name].type, dialect) for name in names)
        pairs = tuple(zip(names, processors, strict=True))
        return cls(compiled.string, names, positional, processors, pairs)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """`values` encoded for the driver, in its parameter style."""
        # Like SQLAlchemy, None goes through the processor too (JSON stores it as 'null').
        # Text is escaped as the engine's statement hook would (`db._escaped_parameters`):
        # this path does not pass through it, and a lone surrogate cannot be stored.
        if self.positional:
            return [
                values[name] if process is None else process(values[name])
                for name, process in self.pairs
            ]
        return {
            name: values[name] if process is None else process(values[name])
            for name, process in self.pairs
        }

    def encoder(self, name: str) -> _Processor:
        """How the parameter `name` is encoded for the driver (as `parameters` encodes it).

        For callers that build rows themselves (`executemany_encoded`): the journal's
        rows, where a dict per row and a walk over every column cost more than the write.
        """
        process = self.processors[self.names.index(name)]
        return _as_it_is if process is None else process

    def row_encoders(self, columns: Sequence[str]) -> tuple[_Processor, ...] | None:
        """The encoder of each of `columns`, for rows built as tuples in that order
        (`executemany_encoded`); None unless the driver takes positional parameters in
        exactly that order, and the caller then passes rows as dicts (`executemany`).

        A fast path that is not available falls back to the general one rather than
        failing: the dicts store the same values (tests/store/test_encoded_rows.py), and
        SQLite, where the order is ours, is held to the fast path by the same tests.
        """
        if not self.positional or self.names != tuple(columns):
            return None
        return tuple(self.encoder(name) for name in columns)

    def execute(self, cursor: DBAPICursor, values: Mapping[str, Any]) -> DBAPICursor:
        """Run once with `values`."""
        cursor.execute(self.sql, self.parameters(values))
        return cursor

    def executemany(self, cursor: DBAPICursor, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per row, in one driver call."""
        encoded: Any = [self.parameters(row) for row in rows]
        cursor.executemany(self.sql, encoded)

    def executemany_encoded(self, cursor: DBAPICursor, rows: Sequence[Sequence[Any]]) -> None:
        """Run once per row of values already encoded (`encoder`), in parameter order."""
        if not self.positional:
            raise TypeError("rows in parameter order need a driver with positional parameters")
        cursor.executemany(self.sql, rows)


def _as_it_is(value: Any) -> Any:
    return value


def _text(value: Any) -> Any:
    # isascii() is O(1): almost every value is let through without a call.
    if isinstance(value, str) and not value.isascii():
        return escape_surrogates(value)
    return value


def _encoder(type_: TypeEngine[Any], dialect: Dialect) -> _Processor | None:
    """`bind_encoder`, with text escaped; None for values that go as they are (numbers)."""
    encode = bind_encoder(type_, dialect)
    if encode is not None:
        return encode
    if isinstance(type_, (Integer, Boolean)):
        return None
    return _text


def bind_encoder(type_: TypeEngine[Any], dialect: Dialect) -> _Processor | None:
    """How a value of `type_` goes to `dialect`'s driver; None when it goes as it is."""
    if dialect.name == "sqlite":
        if isinstance(type_, UTCDateTime):
            return _sqlite_utc_timestamp
        if isinstance(type_, JSON):
            return _sqlite_json(dialect._json_serializer or json.dumps)
        if isinstance(type_, Boolean):
            strict = type_.dialect_impl(dialect).bind_processor(dialect)
            return None if strict is None else _sqlite_boolean(strict)
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _sqlite_boolean(strict: _Processor) -> _Processor:
    """SQLAlchemy's SQLite boolean (1, 0, None) without its checks for the usual values;
    anything else goes through them (and is refused as SQLAlchemy refuses it)."""

    def encode(value: Any) -> Any:
        if value is True:
            return 1
        if value is False:
            return 0
        return strict(value)

    return encode


def _sqlite_json(serialize: Callable[[Any], str]) -> _Processor:
    """SQLAlchemy's SQLite JSON encoding in one call: the serializer's text, `null` for None."""

    def encode(value: Any) -> str:
        return serialize(None if value is JSON.NULL else value)

    return encode


def _sqlite_utc_timestamp(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME text of the UTC time: `YYYY-MM-DD HH:MM:SS.ffffff`."""
    if value is None:
        return None
    zone = value.tzinfo
    if zone is None:
        raise ValueError("timestamps must be timezone-aware (UTC)")
    if zone is not UTC:  # datetime.now(UTC), the common case, needs no conversion
        value = value.astimezone(UTC)
    # SQLAlchemy's own format, filled in directly: `isoformat` of an aware value formats
    # its offset too (one call to the zone), and costs half as much again (three per step).
    return _SQLITE_DATETIME % (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


@contextmanager
def transaction(engine: Engine) -> Iterator[DBAPICursor]:
    """A pooled DBAPI connection's cursor inside one transaction: committed on success."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            yield cursor
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()
    finally:
        connection.close()


def in_transaction(connection: PoolProxiedConnection, work: Callable[[DBAPICursor], None]) -> None:
    """Run `work` with a cursor of a connection the caller holds, inside one transaction:
    committed on success, rolled back on any error.

    A plain call on the driver's own connection: on the journal's hot path a context
    manager and the pool's proxy cost a few microseconds per commit.
    """
    driver = connection.dbapi_connection
    if driver is None:  # invalidated: let the proxy say so
        driver = connection
    cursor = driver.cursor()
    try:
        work(cursor)
        driver.commit()
    except BaseException:
        driver.rollback()
        raise
    finally:
        cursor.close()

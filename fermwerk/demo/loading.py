"""Writing generated rows fast: the demo's residents arrive by the hundred thousand.

Rows are plain dicts of field values, numbered here (so that related rows need no ids read
back) and written per table together with the creation row django-simple-history would have
written on save(): by COPY on PostgreSQL, by batched INSERTs elsewhere. A large load sets the
secondary indexes and foreign keys of the tables it fills aside and restores them afterwards:
building an index once is far cheaper than keeping it up row by row.
"""

import json
from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection, models

CHANGE_REASON = "seed_demo"
# Stands for the row's own moment in the fields that take the moment of saving.
MOMENT = object()
HISTORY_COLUMNS = [
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
]


class Rows:
    """The rows of a load, per model, in the order the models are given (referenced ones
    first); `write()` sends the rows gathered so far to the database."""

    def __init__(self, *models):
        self.tables = {model: Table(model) for model in models}

    def add(self, model, at, /, **values):
        """Add a row of `model` whose moment fields (and history date) are `at`; returns its
        values, its primary key included, to be referred to or changed until written."""
        return self.tables[model].add(at, values)

    def write(self):
        postgresql = connection.vendor == "postgresql"
        for table in self.tables.values():
            if table.rows:
                rows = list(table.tuples())
                (copy if postgresql else insert)(table.model, table.columns, rows)
                if table.history:
                    history = table.history
                    (copy if postgresql else insert)(
                        history.model, history.columns, list(history.tuples(rows, table.rows))
                    )
                table.rows = []

    def next_pk(self, model):
        """The primary key the next row of `model` will have."""
        return self.tables[model].next_pk

    def models(self):
        """The models written, their historical ones included."""
        models = [table.model for table in self.tables.values()]
        return models + [table.history.model for table in self.tables.values() if table.history]

    def finish(self):
        """Move the tables' sequences past the numbers given out here."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), self.models()):
                cursor.execute(sql)


class Table:
    """How the rows of one model are written: its columns, their defaults, the next number."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.columns = [field.attname for field in fields]
        self.defaults = [default_of(field) for field in fields]
        self.moments = [i for i, default in enumerate(self.defaults) if default is MOMENT]
        self.json = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
        pk = model._meta.pk
        self.numbered = pk.attname if isinstance(pk, models.AutoField) else None
        self.next_pk = first_free_pk(model) if self.numbered else None
        self.history = History(model.history.model, self) if hasattr(model, "history") else None
        self.rows = []

    def add(self, at, values):
        if self.numbered:
            values[self.numbered] = self.next_pk
            self.next_pk += 1
        self.rows.append((at, values))
        return values

    def tuples(self):
        """The rows in column order, defaults and moments filled in, JSON encoded."""
        columns, defaults, moments, encoded = self.columns, self.defaults, self.moments, self.json
        for at, values in self.rows:
            row = list(map(values.get, columns, defaults))
            for i in moments:
                if row[i] is MOMENT:
                    row[i] = at
            for i in encoded:
                row[i] = json.dumps(row[i])
            yield row


class History:
    """The creation rows of a model's historical model (django-simple-history)."""

    def __init__(self, model, table):
        self.model = model
        own = [field.attname for field in model._meta.concrete_fields]
        own = [name for name in own if name not in HISTORY_COLUMNS]
        self.columns = own + HISTORY_COLUMNS
        self.picks = [table.columns.index(name) for name in own]
        self.next_pk = first_free_pk(model)

    def tuples(self, rows, originals):
        """The history rows of rows as Table.tuples gave them."""
        picks = self.picks
        for row, (at, _) in zip(rows, originals, strict=True):
            yield [*(row[i] for i in picks), self.next_pk, at, CHANGE_REASON, "+", None]
            self.next_pk += 1


def default_of(field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return MOMENT
    return field.get_default()


def first_free_pk(model):
    """The first primary key nobody has had: on PostgreSQL taken from the sequence, so that a
    deleted record's number (and with it its history) is not given out again."""
    meta = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s))", [meta.db_table, meta.pk.column]
            )
        else:
            cursor.execute(
                f"SELECT COALESCE(MAX({connection.ops.quote_name(meta.pk.column)}), 0) + 1 "
                f"FROM {connection.ops.quote_name(meta.db_table)}"
            )
        return cursor.fetchone()[0]


def copy(model, columns, rows):
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(sql) as writer:
        for row in rows:
            writer.write_row(row)


def insert(model, columns, rows):
    """A batched INSERT, each value prepared as the model's field prepares it."""
    quote = connection.ops.quote_name
    fields = [field_of(model, name) for name in columns]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    prepared = [
        [
            value if field is None else field.get_db_prep_save(value, connection)
            for field, value in zip(fields, row, strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def field_of(model, attname):
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            # JSON arrives encoded already.
            return None if isinstance(field, models.JSONField) else field
    return None


@contextmanager
def indexes_set_aside(models):
    """On PostgreSQL, drop the secondary indexes and the foreign keys of these models' tables
    (and their historical ones) and create them again afterwards, in the same transaction;
    primary keys and unique constraints stay. Then fresh statistics for the tables."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' "
            "AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s)",
            [tables],
        )
        keys = cursor.fetchall()
    # A table with foreign-key checks still pending in the transaction cannot be altered.
    connection.check_constraints()
    with connection.cursor() as cursor:
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def analyze(models):
    """Fresh statistics for these models' tables, so that PostgreSQL plans the queries that
    follow (the rebuild of the cases) for their new size."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")

"""Inserting many new rows at once: PostgreSQL's COPY, or bulk_create elsewhere.

An import of 100,000 services inserts about two million rows (listings, their
history, languages, hours, links). Through bulk_create, Django compiles each
value of each row into SQL parameters (3.6 million calls to `prepare_value`
at 20,000 services): more time than the database spends storing them. COPY
takes the rows as one stream of text. The rows are the same ones: each value
is what the field's own `pre_save` gives, written in PostgreSQL's text form,
and a model with a field this module does not know is inserted by
bulk_create. The database checks constraints as for an INSERT, and a
violation is Django's IntegrityError, so callers handle both paths alike.

History rows are written here too (`insert_history`), with the values
simple-history's `bulk_history_create` would give them, without building a
model instance for each.
"""

import io
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, models

# Fields whose stored value is the attribute as pre_save gives it.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.UUIDField,
    models.BooleanField,
    models.IntegerField,
    models.FloatField,
    models.DecimalField,
    models.DateField,  # DateTimeField too
    models.TimeField,
    models.ForeignKey,
    models.FileField,  # its name
)
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _text(value):
    """A value in COPY's text format (\\N is NULL)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, int | Decimal):
        return str(int(value)) if isinstance(value, int) else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return (value.name or "").translate(_ESCAPES)
    if isinstance(value, list | tuple):  # a text[] column, every element quoted
        quoted = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in value)
        return ("{" + ",".join(f'"{v}"' for v in quoted) + "}").translate(_ESCAPES)
    raise TypeError(f"No COPY text for {type(value).__name__}")


def _copyable(model):
    return all(isinstance(f, _PLAIN) for f in model._meta.concrete_fields)


def _next_ids(model, count):
    """`count` fresh values of the model's id sequence."""
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table, columns, rows):
    """COPY rows (tuples of values, in `columns` order) into a table: no model, no checks."""
    _copy_text(table, columns, (tuple(_text(v) for v in row) for row in rows))


def _copy_text(table, columns, rows):
    """COPY rows already in COPY's text form."""
    buffer = io.StringIO()
    buffer.writelines("\t".join(row) + "\n" for row in rows)
    buffer.seek(0)
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(sql, buffer)


def _copy(model, columns, rows):
    """COPY rows (tuples of COPY text, in `columns` order) into the model's table."""
    _copy_text(model._meta.db_table, columns, rows)


def insert(model, objs, *, need_ids=False):
    """Insert new instances; return them, stored (as bulk_create does).

    An auto-numbered id is read from its sequence first when `need_ids`
    (the caller links other rows to them); otherwise the database numbers
    the rows itself.
    """
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql" or not _copyable(model):
        return model.objects.bulk_create(objs)
    pk = model._meta.pk
    auto = isinstance(pk, models.AutoField)  # BigAutoField too
    if auto and need_ids:
        missing = [obj for obj in objs if obj.pk is None]
        for obj, value in zip(missing, _next_ids(model, len(missing)), strict=True):
            obj.pk = value
    if auto and not need_ids and any(obj.pk is not None for obj in objs):
        return model.objects.bulk_create(objs)  # ids given by the caller: keep them
    for obj in objs:  # as bulk_create: a related row's id, if set after the link
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    fields = [f for f in model._meta.concrete_fields if not (auto and f is pk and not need_ids)]
    _copy(
        model,
        [f.column for f in fields],
        (tuple(_text(f.pre_save(obj, True)) for f in fields) for obj in objs),
    )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def insert_values(model, columns, rows, *, need_ids=False):
    """Insert rows given as values (tuples in `columns` order, by attname), no instances.

    For the many small rows an import makes (links, hours, languages), where
    building a model instance for each costs more than storing it. With
    `need_ids`, the auto-numbered id of each row is taken first and returned,
    in order. Nothing is validated: the caller gives stored values.
    """
    rows = list(rows)
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows]
        )
        return [obj.pk for obj in objs] if need_ids else []
    ids = []
    if need_ids:
        ids = _next_ids(model, len(rows))
        columns = [model._meta.pk.attname, *columns]
        rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
    fields = [model._meta.get_field(name) for name in columns]
    _copy(model, [f.column for f in fields], (tuple(_text(v) for v in row) for row in rows))
    return ids


def insert_history(model, objs, *, user=None, when):
    """Write a "+" history row for each new instance; return {instance pk: history id}.

    The rows hold what `model.history.bulk_history_create(objs,
    default_user=user, default_change_reason=None, default_date=when)` would
    store (tests/test_copy_insert.py compares the two).
    """
    objs = list(objs)
    history = model.history.model
    if not objs:
        return {}
    if connection.vendor != "postgresql" or not _copyable(history):
        rows = model.history.bulk_history_create(
            objs, default_user=user, default_change_reason=None, default_date=when
        )
        return {row.id: row.history_id for row in rows}
    ids = _next_ids(history, len(objs))
    fixed = {
        "history_date": _text(when),
        "history_user_id": _text(user.pk if user is not None else None),
        "history_change_reason": "\\N",
        "history_type": "+",
    }
    tracked = {f.attname for f in history.tracked_fields}
    fields = history._meta.concrete_fields
    unknown = [f.attname for f in fields if f.attname not in tracked and f.attname not in fixed]
    if unknown != [history._meta.pk.attname]:
        raise TypeError(f"{history.__name__} has fields COPY does not fill: {unknown}")
    rows = []
    for obj, history_id in zip(objs, ids, strict=True):
        rows.append(
            tuple(
                fixed[f.attname]
                if f.attname in fixed
                else _text(history_id)
                if f.primary_key
                else _text(getattr(obj, f.attname))
                for f in fields
            )
        )
    _copy(history, [f.column for f in fields], rows)
    return {obj.pk: history_id for obj, history_id in zip(objs, ids, strict=True)}

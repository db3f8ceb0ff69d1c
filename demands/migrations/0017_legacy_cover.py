"""遗留问题清零 (experts.legacy): the candidates of a period — not closed before it began — and
every column the rule and the board read, from one index (PostgreSQL). Its key is the very
expression experts.legacy._open_since compares, `COALESCE(closed_at, 9999-12-31)`, so the open
and the recently closed demands are one range, read index-only; the (park, closed_at) index
gave two ranges and a bitmap of heap pages (37,700 of them for a year of the busiest park at
1,000,000 demands). Unknown to the model, like the search index: Django has no covering
expression index on SQLite, which keeps its (park, closed_at) ranges."""

from django.db import migrations

PG = """
CREATE INDEX IF NOT EXISTS demand_legacy_cover ON demands_demand
  (park_id, (COALESCE(closed_at, '9999-12-31 00:00:00+00'::timestamptz)))
  INCLUDE (created_at, closed_at, status, urge_level, is_legacy, due_date, lead_department_id,
           category_id, channel, liaison_id, id)
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS demand_legacy_cover")


class Migration(migrations.Migration):
    dependencies = [("demands", "0016_requester_kind_index")]

    operations = [migrations.RunPython(forwards, backwards)]

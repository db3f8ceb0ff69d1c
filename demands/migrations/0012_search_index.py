"""The ledger search index (demands/search.py): a generated column of the character pairs (and
digit runs of 3 and 4) of a demand's texts with a GIN index on PostgreSQL; an FTS5 table of
the same kept by triggers on SQLite."""

from django.db import migrations

PG_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION demands_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
    SELECT substr(t, i, 2) AS g FROM generate_series(1, length(t) - 1) AS i
    UNION ALL
    SELECT substr(t, i, n) FROM generate_series(1, length(t) - 2) AS i, (VALUES (3), (4)) AS v(n)
    WHERE substr(t, i, n) ~ '^[0-9]{3,4}$' AND length(substr(t, i, n)) = n
  ) AS grams
$$;
CREATE OR REPLACE FUNCTION demands_grams(
  title text, description text, requester_name text, number text, requester_phone text
) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT {schema}.demands_bigrams(upper(
    coalesce(title, '') || E'\n' || coalesce(description, '') || E'\n' ||
    coalesce(requester_name, '') || E'\n' || coalesce(number, '') || E'\n' ||
    coalesce(requester_phone, '')
  ))
$$;
CREATE OR REPLACE FUNCTION demands_term_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT {schema}.demands_bigrams(upper(t)) $$;
-- Stored, not an expression index: a row the index proposes is checked again (a lossy page,
-- or the OR of the search), and computing the pairs there took seconds per search.
ALTER TABLE demands_demand ADD COLUMN search_grams text[]
  GENERATED ALWAYS AS (demands_grams(title, description, requester_name, number, requester_phone))
  STORED;
CREATE INDEX demand_search_grams ON demands_demand USING gin (search_grams);
"""

PG_DROP = """
DROP INDEX IF EXISTS demand_search_grams;
ALTER TABLE demands_demand DROP COLUMN IF EXISTS search_grams;
DROP FUNCTION IF EXISTS demands_term_grams(text);
DROP FUNCTION IF EXISTS demands_grams(text, text, text, text, text);
DROP FUNCTION IF EXISTS demands_bigrams(text);
"""

_GRAMS = (
    "demands_grams(new.title, new.description, new.requester_name, new.number, new.requester_phone)"
)

SQLITE = [
    "CREATE VIRTUAL TABLE demands_search USING fts5(grams, detail=none, "
    "tokenize='unicode61 remove_diacritics 0')",
    f"""CREATE TRIGGER demands_search_insert AFTER INSERT ON demands_demand BEGIN
      INSERT INTO demands_search(rowid, grams) VALUES (new.id, {_GRAMS});
    END""",
    f"""CREATE TRIGGER demands_search_update
    AFTER UPDATE OF title, description, requester_name, number, requester_phone ON demands_demand
    BEGIN
      DELETE FROM demands_search WHERE rowid = old.id;
      INSERT INTO demands_search(rowid, grams) VALUES (new.id, {_GRAMS});
    END""",
    """CREATE TRIGGER demands_search_delete AFTER DELETE ON demands_demand BEGIN
      DELETE FROM demands_search WHERE rowid = old.id;
    END""",
    f"""INSERT INTO demands_search(rowid, grams)
    SELECT new.id, {_GRAMS} FROM demands_demand AS new""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS demands_search_insert",
    "DROP TRIGGER IF EXISTS demands_search_update",
    "DROP TRIGGER IF EXISTS demands_search_delete",
    "DROP TABLE IF EXISTS demands_search",
]


def forwards(apps, schema_editor):
    c = schema_editor.connection
    with c.cursor() as cur:
        if c.vendor == "postgresql":
            # The bodies name the inner function with its schema: pg_restore runs with an empty
            # search_path, and the generated column's function is inlined there.
            cur.execute("SELECT quote_ident(current_schema())")
            cur.execute(PG_FUNCTIONS.replace("{schema}", cur.fetchone()[0]))
        elif c.vendor == "sqlite":
            for sql in SQLITE:
                cur.execute(sql)


def backwards(apps, schema_editor):
    c = schema_editor.connection
    with c.cursor() as cur:
        if c.vendor == "postgresql":
            cur.execute(PG_DROP)
        elif c.vendor == "sqlite":
            for sql in SQLITE_DROP:
                cur.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("demands", "0011_saved_views")]

    operations = [migrations.RunPython(forwards, backwards)]

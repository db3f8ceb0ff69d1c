"""The full-text index under SearchDoc.tokens: an FTS5 table on SQLite (rowid = SearchDoc.id,
bm25 ranking), a generated tsvector column with a GIN index on PostgreSQL."""

from django.db import migrations


def forwards(apps, schema_editor):
    c = schema_editor.connection
    with c.cursor() as cur:
        if c.vendor == "postgresql":
            cur.execute(
                "ALTER TABLE knowledge_searchdoc ADD COLUMN tsv tsvector "
                "GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED"
            )
            cur.execute("CREATE INDEX knowledge_searchdoc_tsv ON knowledge_searchdoc USING gin (tsv)")
        elif c.vendor == "sqlite":
            cur.execute(
                "CREATE VIRTUAL TABLE knowledge_fts USING fts5(tokens, tokenize='unicode61')"
            )


def backwards(apps, schema_editor):
    c = schema_editor.connection
    with c.cursor() as cur:
        if c.vendor == "postgresql":
            cur.execute("DROP INDEX IF EXISTS knowledge_searchdoc_tsv")
            cur.execute("ALTER TABLE knowledge_searchdoc DROP COLUMN IF EXISTS tsv")
        elif c.vendor == "sqlite":
            cur.execute("DROP TABLE IF EXISTS knowledge_fts")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

from django.db import migrations

from ops.ledger import guard_operation


class Migration(migrations.Migration):
    """On PostgreSQL, triggers refuse UPDATE/DELETE of events and DELETE of demands (see
    ops/ledger.py for the explicit way a later migration may lift them)."""

    dependencies = [
        ("ops", "0001_initial"),
        ("demands", "0005_lighter_write_indexes"),
    ]

    operations = [guard_operation()]

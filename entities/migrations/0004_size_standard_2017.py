"""Load the 2017 size-class table (data, so a revision is another row, not code)."""

import json
from pathlib import Path

from django.db import migrations

FILE = Path(__file__).resolve().parents[1] / "data" / "size_standard_2017.json"


def load(apps, schema_editor):
    SizeStandard = apps.get_model("entities", "SizeStandard")
    table = json.loads(FILE.read_text(encoding="utf-8"))
    SizeStandard.objects.update_or_create(
        version=table["version"],
        defaults={
            "title": table["title"],
            "effective_from": table["effective_from"],
            "table": table,
        },
    )


def unload(apps, schema_editor):
    apps.get_model("entities", "SizeStandard").objects.filter(version="2017").delete()


class Migration(migrations.Migration):
    dependencies = [("entities", "0003_profile_facts")]
    operations = [migrations.RunPython(load, unload)]

from typing import Any

from liaisons import sheets
from liaisons.management.commands._sheet_command import SheetImportCommand
from orgs.models import Park, User


class Command(SheetImportCommand):
    help = "从园区的市场主体名录（xlsx，中文表头）导入市场主体；逐行报告错误"
    what = "市场主体"

    def run_import(self, actor: User, park: Park, data: bytes, **options: Any) -> Any:
        return sheets.import_entities(actor, park, data, **options)

from typing import Any

from liaisons import sheets
from liaisons.management.commands._sheet_command import SheetImportCommand
from orgs.models import Park, User


class Command(SheetImportCommand):
    help = "从联企干部名单（xlsx，中文表头：姓名、部门、职务、职级、手机）导入或更新人员"
    what = "人员"

    def run_import(self, actor: User, park: Park, data: bytes, **options: Any) -> Any:
        return sheets.import_staff(actor, park, data, **options)

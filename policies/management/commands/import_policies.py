from typing import Any

from liaisons.management.commands._sheet_command import SheetImportCommand
from orgs.models import Park, User
from policies import sheets


class Command(SheetImportCommand):
    help = "从惠企政策清单（xlsx，一行一项政策，中文表头）导入政策；逐行报告错误，有行被拒绝时以非零状态退出"
    what = "惠企政策"
    park_optional = True
    strict = True

    def run_import(self, actor: User, park: Park, data: bytes, **options: Any) -> Any:
        return sheets.import_policies(actor, park, data, **options)

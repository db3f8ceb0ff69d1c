from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "台账导入导出"

    def ready(self) -> None:
        from demands import workbook
        from exchange import xlsx

        if xlsx.export_ledger not in workbook.EXPORTERS:
            workbook.EXPORTERS.append(xlsx.export_ledger)

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "台账导入导出"

    def ready(self) -> None:
        from demands import workbook
        from exchange import xlsx

        if xlsx.SheetOrigins not in workbook.ORIGINS:
            workbook.ORIGINS.append(xlsx.SheetOrigins)

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class YearSchedule(models.Model):
    """The State Council's holiday schedule for one year, entered by an administrator.

    The `chinesecalendar` package ships schedules only up to the year it was released in; deadlines
    set in December already reach into the next year, so each new year's official notice (published
    every November or December) is entered here. An entered year overrides the package.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    holidays = models.TextField(
        "放假日期", help_text="每行一个日期或区间，如 2027-01-01 或 2027-02-10~2027-02-16"
    )
    workdays = models.TextField(
        "调休上班日期", blank=True, help_text="周末调休上班的日期，每行一个，如 2027-02-07"
    )
    source = models.CharField(
        "依据", max_length=200, blank=True, help_text="如 国办发明电〔2026〕X号"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年节假日安排"

    def clean(self) -> None:
        from workcal.calendar import parse_dates

        errors = {}
        for field in ("holidays", "workdays"):
            try:
                dates = parse_dates(getattr(self, field))
            except ValueError as exc:
                errors[field] = str(exc)
                continue
            wrong = sorted(d for d in dates if d.year != self.year)
            if wrong:
                errors[field] = f"日期 {wrong[0].isoformat()} 不属于 {self.year} 年"
        if errors:
            raise ValidationError(errors)

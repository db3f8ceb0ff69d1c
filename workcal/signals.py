from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from workcal.calendar import clear_cache
from workcal.models import YearSchedule


@receiver([post_save, post_delete], sender=YearSchedule)
def _schedule_changed(**kwargs: object) -> None:
    clear_cache()

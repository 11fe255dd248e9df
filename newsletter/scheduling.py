"""Each Newsletter's cadence as a django-celery-beat PeriodicTask (crontab, Europe/Rome).

The task is created, updated and deleted with the newsletter; beat runs the
DatabaseScheduler, so a change in the admin takes effect without a restart.
"""

from __future__ import annotations

import json

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from .models import Cadence, Newsletter

TIMEZONE = "Europe/Rome"
DIGEST_TASK = "newsletter.tasks.digest"


def crontab_fields(newsletter: Newsletter) -> dict[str, str]:
    send_time = newsletter.send_time
    if isinstance(send_time, str):  # unsaved default "09:00"
        hour, minute = send_time.split(":")[:2]
    else:
        hour, minute = send_time.hour, send_time.minute
    fields = {
        "minute": str(int(minute)),
        "hour": str(int(hour)),
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
    }
    if newsletter.cadence == Cadence.WEEKLY:
        fields["day_of_week"] = str(newsletter.send_weekday)
    elif newsletter.cadence == Cadence.MONTHLY:
        fields["day_of_month"] = str(min(max(newsletter.send_day_of_month, 1), 28))
    return fields


def task_name(newsletter: Newsletter) -> str:
    return f"newsletter digest: {newsletter.slug} (#{newsletter.pk})"


def sync_periodic_task(newsletter: Newsletter) -> PeriodicTask:
    """Create or update the newsletter's PeriodicTask to match its cadence."""
    schedule, _ = CrontabSchedule.objects.get_or_create(
        timezone=TIMEZONE, **crontab_fields(newsletter)
    )
    values = {
        "name": task_name(newsletter),
        "task": DIGEST_TASK,
        "crontab": schedule,
        "interval": None,
        "kwargs": json.dumps({"newsletter_id": newsletter.pk}),
        "enabled": newsletter.is_active,
        "description": f"Assemble and send the next issue of {newsletter.name}.",
    }
    task = PeriodicTask.objects.filter(pk=newsletter.periodic_task_id).first()
    if task is None:
        task = PeriodicTask.objects.create(**values)
        Newsletter.objects.filter(pk=newsletter.pk).update(periodic_task=task)
        newsletter.periodic_task = task
    else:
        changed = [name for name, value in values.items() if getattr(task, name) != value]
        if changed:
            for name in changed:
                setattr(task, name, values[name])
            task.save()  # save(), not update(): beat notices changes through PeriodicTasks
    return task


@receiver(post_save, sender=Newsletter, dispatch_uid="newsletter.scheduling.sync")
def keep_schedule_in_sync(sender, instance: Newsletter, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    sync_periodic_task(instance)


@receiver(post_delete, sender=Newsletter, dispatch_uid="newsletter.scheduling.delete")
def delete_schedule(sender, instance: Newsletter, **kwargs) -> None:
    if instance.periodic_task_id:
        PeriodicTask.objects.filter(pk=instance.periodic_task_id).delete()

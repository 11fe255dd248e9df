"""One line per event on stdout, carrying the Celery task id when there is one."""

import logging


class TaskContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "task_id"):
            try:
                from celery import current_task

                request = current_task.request if current_task else None
                record.task_id = getattr(request, "id", None) or "-"
            except Exception:  # logging must never fail
                record.task_id = "-"
        return True

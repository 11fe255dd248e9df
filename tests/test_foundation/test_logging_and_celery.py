"""One log line per event with the task id; Celery settings that never drop work silently."""

import io
import json
import logging

from celery import shared_task
from django.conf import settings

from config.celery import app
from config.logging import TaskContextFilter

from .processes import clean_env, run

logger = logging.getLogger("tests.foundation")


@shared_task(bind=True, name="tests.foundation.log_something")
def log_something(self) -> None:
    logger.info("inside the task")


def capture_lines():
    """A handler configured like the stdout one in settings.LOGGING, writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["line"]["format"]))
    handler.addFilter(TaskContextFilter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return stream, handler


def test_a_log_line_inside_a_task_carries_the_task_id():
    stream, handler = capture_lines()
    try:
        log_something.apply(task_id="3f1c-task-id")
    finally:
        logger.removeHandler(handler)
    assert "[task=3f1c-task-id] inside the task" in stream.getvalue()


def test_a_log_line_outside_a_task_says_there_is_none():
    stream, handler = capture_lines()
    try:
        logger.info("in a web request")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().count("\n") == 1
    assert "[task=-] in a web request" in stream.getvalue()


def test_logs_go_to_stdout_through_the_task_filter():
    handler = settings.LOGGING["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"
    assert handler["filters"] == ["task_context", "redact_tokens"]
    assert settings.LOGGING["root"]["handlers"] == ["stdout"]


def test_tasks_are_acknowledged_only_after_they_finish():
    assert app.conf.task_acks_late is True


def test_a_task_whose_worker_dies_goes_back_on_the_queue():
    assert app.conf.task_reject_on_worker_lost is True


def test_a_worker_process_reserves_one_task_at_a_time():
    assert app.conf.worker_prefetch_multiplier == 1


def test_redis_visibility_timeout_outlasts_the_longest_task():
    script = (
        "import json, django; django.setup(); from config.celery import app; "
        "print(json.dumps([app.conf.broker_transport_options['visibility_timeout'], "
        "app.conf.task_time_limit]))"
    )
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL="postgresql://unused@127.0.0.1:1/unused",  # settings only; never connected
        REDIS_URL="redis://127.0.0.1:6379/0",
        CELERY_TASK_TIME_LIMIT="7200",
    )
    result = run(["-c", script], env)
    assert result.returncode == 0, result.stderr
    visibility_timeout, time_limit = json.loads(result.stdout.strip().splitlines()[-1])
    assert time_limit == 7200
    assert visibility_timeout > time_limit

"""A Django email backend that records each `send_messages` call, as an ESP's would arrive."""

from __future__ import annotations

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class CallRecordingBackend(LocmemBackend):
    """Like locmem (messages land in mail.outbox), and `calls` keeps each call's recipients."""

    calls: list[list[str]] = []

    def send_messages(self, messages):
        CallRecordingBackend.calls.append([to for message in messages for to in message.to])
        return super().send_messages(messages)

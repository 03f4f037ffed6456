"""E-mail sent by a worker (``mamori worker``) once the transaction that asked for it commits: a task per
message, tried again on failure (:mod:`mamori.web.background`'s rule), never sent inside a web request."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import send_mail
from django_tasks import task

from mamori.web import background


@task()
def mail_send(*, subject: str, message: str, to: list[str], attempt: int = 1) -> int:
    """Send one e-mail (a worker's task): on failure queued again later, at most MAX_ATTEMPTS times; the last
    failure raised, so the queue keeps the task FAILED with its error. The number of messages sent."""
    try:
        return send_mail(subject=subject, message=message, from_email=None, recipient_list=to, fail_silently=False)
    except Exception as exc:
        background.again_or_raise(mail_send, attempt, exc, subject=subject, message=message, to=to)
        return 0


def mail_queue(*, subject: str, message: str, to: Sequence[str]) -> None:
    """An e-mail to ``to`` (none: nothing), sent by a worker once the current transaction commits — never
    if it rolls back, never inside a web request."""
    recipients = [address for address in to if address]
    if recipients:
        background.enqueue_on_commit(mail_send, subject=subject, message=message, to=recipients)

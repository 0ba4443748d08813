"""The background task (django-tasks, run by `medcode worker`)."""

from __future__ import annotations

from django_tasks import task

from medcode.consult import processing


@task()
def process_inquiry(inquiry_id: int) -> str:
    """Draft and send the reply to one consult email (see processing.py)."""
    return processing.process(inquiry_id)

"""The Celery application: broker and results on Redis (REDIS_URL); eager when Redis is not configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuzantara.settings")

app = Celery("nuzantara")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

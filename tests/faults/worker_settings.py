"""Settings of the Celery worker subprocesses the fault tests start and kill: the test settings, not eager, with
the private Redis of the test (``CELERY_BROKER_URL``) and a short visibility timeout, so that a message a killed
worker took is handed to the next worker within seconds instead of the production hour."""

import os

from portal.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
    # A message taken but not acknowledged for this long goes back to the queue (redelivery after a worker died).
    "visibility_timeout": int(os.environ.get("FAULTS_VISIBILITY_TIMEOUT", "3")),
    # Look for such messages every second (the default sweeps every 10 × 10 s).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

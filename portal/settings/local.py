"""Development on one machine (`make dev`): DEBUG and runserver. SQLite and the filesystem broker under var/ unless
the environment says otherwise; this machine's own keys, made once into var/secrets.env (see machine_secrets)."""

from portal.settings.machine_secrets import use_machine_secrets

use_machine_secrets()

from portal.settings.base import *  # noqa: E402  (after the secrets it reads)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

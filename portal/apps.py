from django.apps import AppConfig
from django.conf import settings


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台基础"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.core.signals import request_finished, request_started

        from portal import broker, checks, queues  # noqa: F401  (checks registers the project's own deploy checks)
        from portal.audit.recording import connect_log_update
        from portal.security.lockout import on_login_failed
        from portal.web.middleware import start_session_clock

        queues.register()
        connect_log_update()
        user_logged_in.connect(start_session_clock, dispatch_uid="portal-session-clock")
        user_login_failed.connect(on_login_failed, dispatch_uid="portal-address-guard")
        # A request's kicks to the workers go together once it is finished (portal.broker).
        request_started.connect(broker.request_started, dispatch_uid="portal-broker-kicks-collect")
        request_finished.connect(broker.request_finished, dispatch_uid="portal-broker-kicks-send")
        if str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://")):
            # Load the broker's client with the process: otherwise the first save that kicks the outbox pays for
            # the import (1–3 s seen on a loaded machine) inside somebody's request.
            import kombu.transport.redis  # noqa: F401

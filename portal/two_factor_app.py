"""django-otp's TOTP app under a Chinese heading in the admin; INSTALLED_APPS names this instead of
``django_otp.plugins.otp_totp``. Its own module: a second AppConfig in ``portal/apps.py`` would stop Django from
picking ``PortalConfig`` for ``portal`` on its own."""

from django_otp.plugins.otp_totp.apps import DefaultConfig


class SecondFactorConfig(DefaultConfig):
    """The same app, label (``otp_totp``) and tables; only the heading the admin shows changes."""

    verbose_name = "双因素认证"

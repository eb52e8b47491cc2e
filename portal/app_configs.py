"""Third-party apps under Chinese headings in the admin: INSTALLED_APPS names these instead of the apps' own configs.
Same apps, labels and tables; only ``verbose_name`` changes. A module of their own: a second AppConfig in
``portal/apps.py`` would stop Django from picking ``PortalConfig`` for ``portal`` on its own. (Model names those apps
leave untranslated are in ``locale/zh_Hans``.)"""

from axes.apps import AppConfig as AxesConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class SecondFactorConfig(TOTPConfig):
    """django-otp's TOTP app (``django_otp.plugins.otp_totp``)."""

    verbose_name = "双因素认证"


class LockoutConfig(AxesConfig):
    """django-axes (``axes``): sign-in attempts, failures and lockouts."""

    verbose_name = "登录锁定"

"""No whole ID number, bank account or phone reaches a log line (docs/roles.md, "Personal data")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

import logging
import sys

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from tests.factories import make_id_number

ACCOUNT = "6217000010001234567"
PHONE = "13800138000"


@pytest.fixture
def formatter() -> logging.Formatter:
    """The formatter the settings give every handler."""
    config = settings.LOGGING["formatters"]["plain"]
    return import_string(config["()"])(config["format"])


def _record(msg: str, *args: object, exc_info: OptExcInfo | None = None) -> logging.LogRecord:
    return logging.LogRecord("portal.test", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_message_and_arguments_are_masked(formatter: logging.Formatter) -> None:
    number = make_id_number(7)
    line = formatter.format(_record("引进人才 %s 账号 %s 电话 %s", number, ACCOUNT, PHONE))
    assert number not in line and ACCOUNT not in line and PHONE not in line
    assert f"{number[:6]}********{number[-4:]}" in line
    assert "****4567" in line


def test_tracebacks_are_masked(formatter: logging.Formatter) -> None:
    number = make_id_number(7)
    try:
        raise ValueError(f"duplicate key value ({number})")
    except ValueError:
        line = formatter.format(_record("写入失败", exc_info=sys.exc_info()))
    assert "Traceback" in line and "ValueError" in line
    assert number not in line


def test_every_handler_of_the_settings_formats_through_the_guard() -> None:
    formatters = settings.LOGGING["formatters"]
    for handler in settings.LOGGING["handlers"].values():
        assert formatters[handler["formatter"]]["()"] == "portal.log.RedactingFormatter"
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]

"""No whole ID number, bank account or phone reaches a log line (DOMAIN §12)."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from tests.factories import make_id_number

ACCOUNT = "6217000010001234567"
PHONE = "13800138000"


@pytest.fixture
def captured() -> tuple[logging.Logger, io.StringIO]:
    """A logger whose handler uses the formatter the settings give every handler."""
    config = settings.LOGGING["formatters"]["plain"]
    formatter = import_string(config["()"])(config["format"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_message_and_arguments_are_masked(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    number = make_id_number(7)
    logger.warning("引进人才 %s 账号 %s 电话 %s", number, ACCOUNT, PHONE)
    line = stream.getvalue()
    assert number not in line and ACCOUNT not in line and PHONE not in line
    assert f"{number[:6]}********{number[-4:]}" in line
    assert "****4567" in line


def test_tracebacks_are_masked(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    number = make_id_number(7)
    try:
        raise ValueError(f"duplicate key value ({number})")
    except ValueError:
        logger.exception("写入失败")
    line = stream.getvalue()
    assert "Traceback" in line and "ValueError" in line
    assert number not in line


def test_every_handler_of_the_settings_formats_through_the_guard() -> None:
    formatters = settings.LOGGING["formatters"]
    for handler in settings.LOGGING["handlers"].values():
        assert formatters[handler["formatter"]]["()"] == "portal.log.RedactingFormatter"
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]

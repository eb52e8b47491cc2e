"""Log lines never carry a whole ID number, bank account or phone number (docs/roles.md, "Personal data").

Every handler formats through ``RedactingFormatter``: the finished line (message, arguments and traceback alike) passes
the same guard as notices and e-mails, so a careless ``logger.info("%s", hire.id_number)`` or an exception quoting a
submitted value is masked before it reaches a file, a console or an administrator's mailbox.
"""

from __future__ import annotations

import logging

from portal.identity import redact_personal_data


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact_personal_data(super().format(record))

"""`manage.py rotate_field_keys`: every encrypted ID number and bank account, every stored document's file
(``portal.documents``) and every uploaded file kept encrypted (``portal.security.files``: the claims' scans),
re-encrypted with the newest key.

Rotation: generate a key (``--generate-key``), put it FIRST in ``PORTAL_FIELD_KEYS`` keeping the old ones after it,
restart the web and the workers, run this command, then drop the old keys. A new ``PORTAL_HMAC_KEY`` takes effect
the same way: this command recomputes every keyed digest (look-ups miss until it has run).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.documents import reencrypt_stored_documents
from portal.security.crypto import FieldDecryptionError, FieldKeyError, generate_field_key, reencrypt_all
from portal.security.files import reencrypt_files


class Command(BaseCommand):
    help = "用 PORTAL_FIELD_KEYS 的第一个密钥重新加密所有身份证号码和银行账号，并用 PORTAL_HMAC_KEY 重算摘要。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--generate-key",
            action="store_true",
            help="只生成并打印一个新的 Fernet 密钥（放在 PORTAL_FIELD_KEYS 最前面）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            self.stdout.write(generate_field_key())
            return
        try:
            rewritten = reencrypt_all()
            rewritten["存档文件"] = reencrypt_stored_documents()
            files = reencrypt_files()
        except (FieldDecryptionError, FieldKeyError) as error:
            raise CommandError(str(error)) from None
        summary = "、".join(
            [
                *(
                    f"{label} {count}行" if label != "存档文件" else f"{label} {count}个"
                    for label, count in rewritten.items()
                ),
                *(f"{label}的文件 {count}个" for label, count in files.items()),
            ]
        )
        self.stdout.write(
            self.style.SUCCESS(f"已用最新密钥重新加密：{summary}。现在可以从 PORTAL_FIELD_KEYS 中删除旧密钥。")
        )

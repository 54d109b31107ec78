"""Outgoing mail: SMTP when ``EXPO_SMTP_URL`` is set, else ``.eml`` files in the outbox folder.

``EXPO_SMTP_URL``: ``smtp://user:password@host:587`` (STARTTLS when the server offers it),
``smtps://…:465`` (TLS from the start), or ``smtp://host:25`` without credentials.
"""
from __future__ import annotations

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app


def build_message(to: list[str], subject: str, text: str, html: str | None = None,
                  attachments: list[tuple[str, str, bytes]] = ()) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="expo")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, mimetype, data in attachments:
        maintype, _, subtype = mimetype.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send(message: EmailMessage) -> None:
    url = current_app.config.get("SMTP_URL")
    if not url:
        outbox = Path(current_app.config["OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))
        return
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 25)
    if secure:
        server = smtplib.SMTP_SSL(parts.hostname, port, timeout=30, context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(parts.hostname, port, timeout=30)
    with server:
        if not secure and server.has_extn("starttls"):
            server.starttls(context=ssl.create_default_context())
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        server.send_message(message)

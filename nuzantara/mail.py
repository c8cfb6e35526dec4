"""Mail without a mail server (EMAIL_HOST unset): one log line a message, with counts, never an address or a text."""

import logging

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger(__name__)


class UnsentMailLogBackend(BaseEmailBackend):
    """Development's stand-in for SMTP: Django's console backend would print recipients and bodies (client contact
    data among them) into the process log, so this one notes only that a message was not sent and how big it was."""

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        for message in email_messages:
            logger.info(
                "mail not sent: EMAIL_HOST is not set",
                extra={"recipients": len(message.recipients()), "body_chars": len(message.body or "")},
            )
        return len(email_messages)

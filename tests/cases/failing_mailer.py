"""An email backend whose server is down, to prove the outbox keeps and retries."""

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("Panne du serveur de courriel")

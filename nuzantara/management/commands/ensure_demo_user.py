"""Create the local demo account once, with a generated password printed once and kept under var/."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

CREDENTIALS_FILE = "demo_credentials.txt"


class Command(BaseCommand):
    help = "Create the local demo user (staff, for curation) if missing; idempotent. The password is printed only when created."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="demo")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="the URL to print for the user to open")

    def handle(self, *args: object, username: str, url: str, **options: object) -> None:
        user_model = get_user_model()
        credentials = settings.VAR_DIR / CREDENTIALS_FILE
        if user_model.objects.filter(username=username).exists():
            where = f"see {credentials}" if credentials.exists() else "password set elsewhere"
            self.stdout.write(f"Demo user '{username}' already exists ({where}). Open {url}")
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_user(
            username=username, password=password, is_staff=True, is_superuser=True, email=f"{username}@localhost"
        )
        credentials.write_text(f"username: {username}\npassword: {password}\n")
        credentials.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Created demo user '{username}' with password: {password}"))
        self.stdout.write(f"(saved in {credentials}; it will not be printed again) Open {url}")

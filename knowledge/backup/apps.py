from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "knowledge.backup"
    label = "backup"
    verbose_name = "Backups"

"""API tokens (`Authorization: Token ...`): they expire after API_TOKEN_TTL_DAYS, die with a password change and can be
revoked; `POST /api/v1/auth/token/` then issues a new one."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

User = get_user_model()


def token_expired(token: Token) -> bool:
    return token.created < timezone.now() - datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)


@transaction.atomic
def api_token_issue(*, user) -> Token:
    """The user's token, or a new one when there is none or it has expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def api_token_revoke(*, user) -> int:
    """Delete the user's token (scripts signed in with it are refused from now on)."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than API_TOKEN_TTL_DAYS."""

    def authenticate_credentials(self, key: str) -> tuple:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed("Token has expired: ask for a new one at /api/v1/auth/token/.")
        return user, token


@receiver(pre_save, sender=User, dispatch_uid="api_tokens_password_seen")
def _password_seen(sender: type, instance, update_fields=None, **kwargs) -> None:  # noqa: ANN001
    """Notes whether this save changes the password (a login's last_login update is skipped without a query)."""
    instance._api_token_password_changed = False
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._api_token_password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=User, dispatch_uid="api_tokens_rotated_on_password_change")
def _tokens_dropped_on_password_change(sender: type, instance, **kwargs) -> None:  # noqa: ANN001
    """A new password ends every API token of the user, as it ends their other sessions."""
    if getattr(instance, "_api_token_password_changed", False):
        api_token_revoke(user=instance)

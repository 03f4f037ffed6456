"""A changed password revokes every token of its user (interfaces.md §2), however it was changed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models.signals import pre_save
from django.dispatch import receiver


@receiver(pre_save, sender=User, dispatch_uid="mamori-revoke-tokens-on-password-change")
def revoke_tokens_on_password_change(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "password" not in update_fields:
        return
    before = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if before is not None and before != instance.password:
        from mamori.web.accounts import services

        services.api_tokens_revoke_all(user=instance, reason="password-changed")

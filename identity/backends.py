"""The object-rights backend: `user.has_perm(right, obj)` answered from guardian's tables by `rights_on`.

In place of guardian's own backend, which builds a new checker (two queries) on every call; viewflow asks
through `has_perm` whether an officer may pick up a review task, in the same transaction in which the
services have already asked about the same case.
"""

from django.db.models import Model

from .permissions import rights_on


class ObjectRightsBackend:
    """Answers object-level checks only; global rights are ModelBackend's."""

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj: Model | None = None) -> set[str]:
        if obj is None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return {f"{obj._meta.app_label}.{codename}" for codename in rights_on(user_obj, obj)}

    def has_perm(self, user_obj, perm: str, obj: Model | None = None) -> bool:
        app_label, _, codename = perm.rpartition(".")
        if obj is None or app_label not in ("", obj._meta.app_label):
            return False
        return user_obj.is_active and not user_obj.is_anonymous and codename in rights_on(user_obj, obj)

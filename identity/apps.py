from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "People and organisations"

    def ready(self) -> None:
        from .permissions import forget_permission_ids

        # migrate and a test database's flush write the permission rows afresh, perhaps under new ids.
        post_migrate.connect(forget_permission_ids, dispatch_uid="identity.forget_permission_ids")

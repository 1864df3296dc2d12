from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"


class PortalStaticFilesConfig(StaticFilesConfig):
    """Static files without viewflow's own Material UI, which the portal does not serve.

    (Its stylesheet names font files the package does not ship, which breaks collectstatic.)
    """

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "viewflow"]

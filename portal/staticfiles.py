"""Static file finding without viewflow's own Material UI, which the portal does not serve.

(Its stylesheet names font files the package does not ship, which breaks collectstatic.)
"""

from django.contrib.staticfiles.finders import AppDirectoriesFinder

UNSERVED_APPS = frozenset({"viewflow"})


class PortalAppDirectoriesFinder(AppDirectoriesFinder):
    def __init__(self, app_names=None, *args, **kwargs):
        super().__init__(app_names, *args, **kwargs)
        for name in UNSERVED_APPS:
            self.apps = [app for app in self.apps if app != name]
            self.storages.pop(name, None)

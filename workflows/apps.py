from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Review workflows"

    def ready(self):
        from casework.retention import case_cleaner_register
        from identity.models import Team

        from .deadlines import bank_holidays_forget
        from .models import BankHoliday, TeamRoute
        from .retention import review_data_remove
        from .selectors import team_routes_forget

        # Not changes of state but caches to keep true: whatever writes a bank holiday, a route or a team
        # through Django (the admin, loaddata, a shell) is used by the next submission.
        forgetting = ((BankHoliday, bank_holidays_forget), (TeamRoute, team_routes_forget), (Team, team_routes_forget))
        for model, forget in forgetting:
            post_save.connect(forget, sender=model, dispatch_uid=f"{forget.__name__}-{model.__name__}-saved")
            post_delete.connect(forget, sender=model, dispatch_uid=f"{forget.__name__}-{model.__name__}-deleted")

        # Retention removes the review side's data of each case too (casework cannot import this app).
        case_cleaner_register(review_data_remove)

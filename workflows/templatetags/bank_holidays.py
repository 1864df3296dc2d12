"""The admin home's warning that the loaded bank holidays are running out (Django's index view takes no context)."""

from django import template

from workflows.holidays import bank_holidays_coverage

register = template.Library()


@register.simple_tag(takes_context=True)
def bank_holidays_coverage_for(context, user):
    """How far the loaded bank holidays reach, for someone who may see them; None for anyone else."""
    if not user.has_perm("workflows.view_bankholiday"):
        return None
    return bank_holidays_coverage()

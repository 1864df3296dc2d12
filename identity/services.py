"""Writes to people, organisations and teams. Views and the admin call these; nothing else writes."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Team


def team_group_for_name(*, name: str) -> Group:
    """The group that holds a team's object permissions, created when the team is."""
    group, _ = Group.objects.get_or_create(name=f"Team: {name}")
    return group


@transaction.atomic
def team_group_sync_members(*, team: Team) -> None:
    """Make the team's group hold exactly the team's members, so their object permissions follow membership."""
    team.group.user_set.set(team.members.all())

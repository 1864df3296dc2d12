"""How django-axes names the account behind a sign-in attempt: the typed address, normalised."""

from .models import typed_email

SIGN_IN_USERNAME_FIELD = "auth-username"


def username_from_request(request, credentials) -> str:
    """The e-mail address of the attempt, whether axes has the credentials or only the request."""
    username = (credentials or {}).get("username")
    if username is None and request is not None and request.method == "POST":
        username = request.POST.get(SIGN_IN_USERNAME_FIELD, "")
    return typed_email(username or "")

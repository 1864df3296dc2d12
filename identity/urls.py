from django.urls import path

from .views import account, approvals, password_reset, registration, session, sign_in

app_name = "identity"

urlpatterns = [
    path("sign-in/", sign_in.SignInView.as_view(), name="sign-in"),
    path("sign-out/", sign_in.sign_out_view, name="sign-out"),
    path("signed-out/", sign_in.signed_out, name="signed-out"),
    path("register/", registration.register, name="register"),
    path("register/check-your-email/", registration.check_email, name="check-email"),
    path("verify/resend/", registration.verify_resend, name="verify-resend"),
    path("verify/<str:token>/", registration.verify, name="verify"),
    path("verify/<str:token>/new-link/", registration.verify_resend_for_link, name="verify-resend-for-link"),
    path("password-reset/", password_reset.request_link, name="password-reset"),
    path("password-reset/link/<str:uidb64>/<str:token>/", password_reset.open_link, name="password-reset-link"),
    path("password-reset/security-question/", password_reset.security_question, name="password-reset-question"),
    path("password-reset/new-password/", password_reset.new_password, name="password-reset-new"),
    path("password-reset/done/", password_reset.done, name="password-reset-done"),
    path("", account.overview, name="account"),
    path("details/", account.details, name="account-details"),
    path("password/", account.change_password, name="account-password"),
    path("security-question/", account.change_security_question, name="account-security-question"),
    path("activity/", account.activity, name="account-activity"),
    path("approvals/", approvals.queue, name="approvals"),
    path("approvals/<int:user_id>/<str:decision>/", approvals.decide, name="approval-decide"),
    path("session/", session.status, name="session-status"),
    path("session/extend/", session.extend, name="session-extend"),
    path("session/timed-out/", session.timed_out, name="session-timed-out"),
]

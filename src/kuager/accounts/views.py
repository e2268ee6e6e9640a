"""Two-factor pages: enrolment (secret as text and QR code, then one code) and the login's code step."""

from __future__ import annotations

import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuager.accounts import services


class LoginForm(AuthenticationForm):
    """Django's login form; while logins are throttled it says so and for how long (``throttle_minutes``).

    The throttle message is shown whenever the user name or address was throttled before
    the attempt, whatever the password, so it tells nothing about the password.
    """

    throttle_minutes: int | None = None

    def clean(self):
        from kuager.audit.backends import client_address, retry_after, throttled

        username = self.cleaned_data.get("username")
        address = client_address(self.request)
        before = bool(username) and throttled(str(username), address)
        try:
            return super().clean()
        except forms.ValidationError:
            if before:
                wait = retry_after(str(username), address).total_seconds()
                self.throttle_minutes = max(1, math.ceil(wait / 60))
            raise
from kuager.accounts.middleware import mark_verified, verified
from kuager.errors import InputError


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=40, strip=True, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "size": 20}))


def _next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return "/"


def _address(request: HttpRequest) -> str:
    from kuager.audit.backends import client_address

    return client_address(request)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up two-factor authentication: GET shows the secret and its QR code, POST checks one code.

    A user who already has it sees that it is on, how many recovery codes are
    left, and may make new recovery codes (after the second step).
    """
    user = request.user
    if services.enrolled(user):
        if not verified(request):
            return redirect("two_factor_verify")
        codes = None
        if request.method == "POST" and request.POST.get("action") == "recovery":
            codes = services.new_recovery_codes(user)
        return render(request, "accounts/two_factor_status.html", {
            "codes": codes, "left": services.recovery_codes_left(user)})
    tf = services.start_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_enrolment(user, form.cleaned_data["code"])
        except services.CodeThrottled:
            form.add_error("code", _("Too many wrong codes. Wait 15 minutes and try again."))
        except InputError:
            form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
        else:
            mark_verified(request)
            return render(request, "accounts/two_factor_status.html", {
                "codes": codes, "left": len(codes), "just_enrolled": True, "next": _next(request)})
    uri, svg = services.provisioning(tf)
    secret = " ".join(tf.secret[i:i + 4] for i in range(0, len(tf.secret), 4))
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "secret": secret, "qr": mark_safe(svg), "uri": uri,  # noqa: S308 - made by segno here
        "required": services.required_for(user), "next": _next(request)})


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The login's second step: a 6-digit code from the app, or a recovery code."""
    user = request.user
    if not services.enrolled(user):
        return redirect("two_factor_setup")
    if verified(request):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            how = services.check_code(user, form.cleaned_data["code"], address=_address(request))
        except services.CodeThrottled:
            form.add_error("code", _("Too many wrong codes. Wait 15 minutes and try again."))
        except services.CodeReplayed:
            form.add_error("code", _("That code was already used. Wait for the next code in your app "
                                     "(a new one comes every 30 seconds) and enter it."))
        except InputError:
            form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
        else:
            mark_verified(request)
            if how == "recovery":
                from django.contrib import messages

                messages.warning(request, _("You used a recovery code; %(n)s are left.")
                                 % {"n": services.recovery_codes_left(user)})
            return redirect(_next(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})

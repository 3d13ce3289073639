"""Account pages: register (with the phone code), sign in (+ second step), account, devices,
activity, two-step verification, businesses. Post → Redirect → Get; every form works without JS."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citizencloud.identity import forms, qr, selectors, services, web
from citizencloud.identity.models import Business, TotpDevice, User, UserSession
from citizencloud.identity.services import consent
from citizencloud.identity.services import mfa as mfa_service
from citizencloud.identity.services.signin import authenticate, finish_login, second_factor
from citizencloud.identity.services.signin import throttle_key as login_key
from citizencloud.identity.validation import InvalidInput
from citizencloud.kernel.errors import DomainError

MFA_PENDING = "identity_mfa_pending"
MFA_PENDING_SECONDS = 300
RECOVERY_SHOWN = "identity_recovery_codes"


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _session(request: HttpRequest) -> UserSession | None:
    session: UserSession | None = getattr(request, "identity_session", None)
    return session


def _form_post(
    request: HttpRequest,
    form: Any,
    action: Callable[[], HttpResponse],
) -> HttpResponse | None:
    """Run ``action`` if the form is valid; put service errors on the form; None to re-render."""
    if not form.is_valid():
        return None
    try:
        return action()
    except InvalidInput as error:
        forms.apply_errors(form, error)
    except DomainError as error:
        form.add_error(None, str(error.message))
    return None


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("identity:account")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            data = form.cleaned_data
            services.register_citizen(
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                password=data["password"],
            )
            return redirect(reverse("identity:verify-phone") + "?sent=1")

        done = _form_post(request, form, act)
        if done is not None:
            return done
    return render(request, "identity/register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify_phone(request: HttpRequest) -> HttpResponse:
    form = forms.VerifyPhoneForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            services.verify_phone(
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                origin=web.origin(request),
            )
            messages.success(request, _("Your phone is verified and your account is active."))
            return redirect("identity:login")

        done = _form_post(request, form, act)
        if done is not None:
            return done
    return render(
        request, "identity/verify_phone.html", {"form": form, "sent": "sent" in request.GET}
    )


def _complete(
    request: HttpRequest, user: User, key: str, *, mfa: bool, target: str | None = None
) -> HttpResponse:
    result = finish_login(user=user, key=key, mfa=mfa, origin=web.origin(request))
    target = target or _next(request)
    web.sign_in(request, result)
    if user.must_use_mfa and not mfa:
        target = reverse("identity:mfa")
    response = redirect(target)
    web.ensure_device_cookie(request, response)
    return response


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            login_name = form.cleaned_data["login"]
            user = authenticate(
                login=login_name,
                password=form.cleaned_data["password"],
                origin=web.origin(request),
            )
            key = login_key(login_name)
            if mfa_service.is_enrolled(user):
                request.session.cycle_key()
                request.session[MFA_PENDING] = {
                    "user": str(user.public_id),
                    "key": key,
                    "until": time.time() + MFA_PENDING_SECONDS,
                    "next": _next(request),
                }
                return redirect("identity:login-mfa")
            return _complete(request, user, key, mfa=False)

        done = _form_post(request, form, act)
        if done is not None:
            return done
    response = render(request, "identity/login.html", {"form": form, "next": _next(request)})
    web.ensure_device_cookie(request, response)
    return response


@require_http_methods(["GET", "POST"])
def login_mfa(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(MFA_PENDING)
    if not pending or pending["until"] < time.time():
        request.session.pop(MFA_PENDING, None)
        return redirect("identity:login")
    user = User.objects.get(public_id=pending["user"])
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            second_factor(
                user=user,
                otp=form.cleaned_data["code"],
                key=pending["key"],
                origin=web.origin(request),
            )
            request.session.pop(MFA_PENDING, None)
            return _complete(request, user, pending["key"], mfa=True, target=pending.get("next"))

        done = _form_post(request, form, act)
        if done is not None:
            return done
    return render(request, "identity/login_mfa.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = forms.ResetForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            services.request_reset(phone=form.cleaned_data["phone"])
            return redirect(reverse("identity:password-reset-confirm") + "?sent=1")

        done = _form_post(request, form, act)
        if done is not None:
            return done
    return render(request, "identity/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    form = forms.ResetConfirmForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            services.confirm_reset(
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password"],
                origin=web.origin(request),
            )
            messages.success(request, _("Your new password is set. Sign in with it."))
            return redirect("identity:login")

        done = _form_post(request, form, act)
        if done is not None:
            return done
    context = {"form": form, "sent": "sent" in request.GET}
    return render(request, "identity/password_reset_confirm.html", context)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session = getattr(request, "identity_session", None)
    if session is not None:
        services.end_session(
            user=_user(request),
            session_id=str(session.public_id),
            origin=web.origin(request),
            logout=True,
        )
    web.sign_out(request)
    messages.info(request, _("You have signed out."))
    return redirect("home")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site signs in through the account pages (so staff always pass MFA)."""
    return redirect(reverse("identity:login") + "?next=/admin/")


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            services.change_password(
                user=user,
                current=form.cleaned_data["current_password"],
                new=form.cleaned_data["new_password"],
                origin=web.origin(request),
            )
            messages.success(request, _("Your password is changed. Sign in again."))
            web.sign_out(request)
            return redirect("identity:login")

        done = _form_post(request, form, act)
        if done is not None:
            return done
    context = {
        "profile": selectors.profile(user, _session(request)),
        "password_form": form,
        "businesses": selectors.businesses(user),
        "consents": selectors.consents(user),
    }
    return render(request, "identity/account.html", context)


@login_required
@require_POST
def revoke_consent(request: HttpRequest, consent_id: str) -> HttpResponse:
    consent.revoke(user=_user(request), consent_id=consent_id, origin=web.origin(request))
    messages.success(request, _("The app no longer receives your information."))
    return redirect("identity:account")


@login_required
@require_POST
def verify_identity(request: HttpRequest) -> HttpResponse:
    try:
        services.verify_identity(user=_user(request), origin=web.origin(request))
        messages.success(request, _("Your identity is verified (L2)."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("identity:account")


@login_required
def devices(request: HttpRequest) -> HttpResponse:
    context = {
        "sessions": selectors.live_sessions(_user(request)),
        "current": getattr(_session(request), "pk", None),
    }
    return render(request, "identity/devices.html", context)


@login_required
@require_POST
def end_device(request: HttpRequest, session_id: str) -> HttpResponse:
    services.end_session(user=_user(request), session_id=session_id, origin=web.origin(request))
    messages.success(request, _("That device is signed out."))
    return redirect("identity:devices")


@login_required
@require_POST
def end_everywhere(request: HttpRequest) -> HttpResponse:
    services.end_all_sessions(user=_user(request), origin=web.origin(request), keep=None)
    web.sign_out(request)
    messages.success(request, _("You are signed out on every device."))
    return redirect("identity:login")


@login_required
def activity(request: HttpRequest) -> HttpResponse:
    return render(
        request, "identity/activity.html", {"entries": selectors.activity(_user(request))}
    )


@login_required
@require_POST
def not_me(request: HttpRequest, activity_id: str) -> HttpResponse:
    services.report_not_me(user=_user(request), activity_id=activity_id, origin=web.origin(request))
    messages.warning(
        request, _("Thank you. That session is ended; change your password if you think it leaked.")
    )
    return redirect("identity:activity")


@login_required
@require_http_methods(["GET", "POST"])
def mfa(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    enrolled = mfa_service.is_enrolled(user)
    codes = request.session.pop(RECOVERY_SHOWN, None)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    confirm_form = forms.CodeForm(request.POST or None if "confirm" in request.POST else None)
    disable_form = forms.PasswordForm(request.POST if "disable" in request.POST else None)
    if request.method == "POST" and "start" in request.POST and not enrolled:
        services.start_totp(user=user)
        return redirect("identity:mfa")
    if request.method == "POST" and "confirm" in request.POST:

        def confirm() -> HttpResponse:
            new_codes = services.confirm_totp(
                user=user,
                code=confirm_form.cleaned_data["code"],
                origin=web.origin(request),
                session=_session(request),
            )
            request.session[RECOVERY_SHOWN] = new_codes
            messages.success(request, _("Two-step verification is on."))
            return redirect("identity:mfa")

        done = _form_post(request, confirm_form, confirm)
        if done is not None:
            return done
    if request.method == "POST" and "disable" in request.POST:

        def disable() -> HttpResponse:
            services.disable_totp(
                user=user,
                password=disable_form.cleaned_data["password"],
                origin=web.origin(request),
            )
            messages.success(request, _("Two-step verification is off."))
            return redirect("identity:mfa")

        done = _form_post(request, disable_form, disable)
        if done is not None:
            return done
    context: dict[str, Any] = {
        "enrolled": enrolled,
        "device": device,
        "recovery_codes": codes,
        "confirm_form": confirm_form,
        "disable_form": disable_form,
        "must_use_mfa": user.must_use_mfa,
    }
    if device is not None and not enrolled:
        uri = mfa_service.provisioning_uri(device, user)
        context.update(secret=str(device.secret), qr=qr.svg_data_uri(uri))
    return render(request, "identity/mfa.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def businesses(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.BusinessForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            services.register_business(
                representative=user,
                name=form.cleaned_data["name"],
                uscc=form.cleaned_data["uscc"],
                origin=web.origin(request),
            )
            messages.success(request, _("The business is registered."))
            return redirect("identity:businesses")

        done = _form_post(request, form, act)
        if done is not None:
            return done
    context = {"roles": selectors.businesses(user), "form": form, "session": _session(request)}
    return render(request, "identity/businesses.html", context)


@login_required
@require_POST
def act_as(request: HttpRequest) -> HttpResponse:
    session = _session(request)
    if session is None:
        return redirect("identity:login")
    try:
        services.act_as(
            user=_user(request),
            session=session,
            business_id=request.POST.get("business_id") or None,
            origin=web.origin(request),
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("identity:businesses")


@login_required
@require_http_methods(["GET", "POST"])
def agents(request: HttpRequest, business_id: str) -> HttpResponse:
    user = _user(request)
    business = Business.objects.filter(public_id=business_id, legal_representative=user).first()
    if business is None:
        return render(request, "404.html", status=404)
    form = forms.AgentForm(request.POST or None if "grant" in request.POST else None)
    if request.method == "POST" and "revoke" in request.POST:
        services.revoke_agent(
            user=user,
            business_id=business_id,
            grant_id=request.POST["revoke"],
            origin=web.origin(request),
        )
        messages.success(request, _("The agent's powers are withdrawn."))
        return redirect("identity:agents", business_id=business_id)
    if request.method == "POST":

        def act() -> HttpResponse:
            services.grant_agent(
                user=user,
                business_id=business_id,
                agent_phone=form.cleaned_data["agent_phone"],
                powers=form.cleaned_data["powers"],
                origin=web.origin(request),
            )
            messages.success(request, _("The agent may now act for the business."))
            return redirect("identity:agents", business_id=business_id)

        done = _form_post(request, form, act)
        if done is not None:
            return done
    context = {"business": business, "grants": selectors.grants(business), "form": form}
    return render(request, "identity/agents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Correct my display name; links to the phone change. Post → Redirect → Get."""
    user = _user(request)
    form = forms.DisplayNameForm(request.POST or None, initial={"display_name": user.display_name})
    if request.method == "POST":

        def act() -> HttpResponse:
            services.change_display_name(
                user=user,
                display_name=form.cleaned_data["display_name"],
                origin=web.origin(request),
            )
            messages.success(request, _("Your display name is saved."))
            return redirect(_next(request))

        done = _form_post(request, form, act)
        if done is not None:
            return done
    return render(
        request,
        "identity/profile.html",
        {"form": form, "me": selectors.profile(user), "next": _next(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_phone(request: HttpRequest) -> HttpResponse:
    """Step 1 of a phone change: the new number gets a code."""
    user = _user(request)
    form = forms.PhoneChangeForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            services.start_phone_change(
                user=user, phone=form.cleaned_data["phone"], origin=web.origin(request)
            )
            return redirect(reverse("identity:confirm-phone") + "?sent=1")

        done = _form_post(request, form, act)
        if done is not None:
            return done
    return render(
        request, "identity/change_phone.html", {"form": form, "me": selectors.profile(user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm_phone(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the new number and the password move the account."""
    user = _user(request)
    form = forms.PhoneConfirmForm(request.POST or None)
    if request.method == "POST":

        def act() -> HttpResponse:
            services.confirm_phone_change(
                user=user,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
                origin=web.origin(request),
            )
            messages.success(request, _("Your mobile number is changed."))
            return redirect("identity:profile")

        done = _form_post(request, form, act)
        if done is not None:
            return done
    return render(
        request, "identity/confirm_phone.html", {"form": form, "sent": "sent" in request.GET}
    )

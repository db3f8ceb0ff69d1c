"""Pages of account security: the second factor (enrol, verify, backup codes), the password, the
user's API tokens, and the park administrator's 登录安全 page. They parse, authorize, call the
services in accounts.services and orgs.tokens, and render."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import lockout, services
from accounts.models import SecurityEvent
from orgs import tokens
from orgs.access import UserRequest
from orgs.models import Role, TokenScope, User
from qinshang.errors import InvalidInput, ServiceError
from qinshang.pages import ParkRequest, page, paginate, query_without, roles_required


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _qr_svg(url: str) -> str:
    # Drawn here, as inline SVG markup: nothing is fetched and no script runs.
    return segno.make(url, error="m").svg_inline(scale=5, dark="#1f2937", light="#ffffff")


def _group(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# --------------------------------------------------------------------------- second factor


@login_required
def otp_setup(request: UserRequest) -> HttpResponse:
    user: User = request.user
    # Password alone may not replace an enrolled phone: that needs the second factor first.
    if services.has_second_factor(user) and not services.is_verified(user):
        return HttpResponseRedirect(reverse("accounts:otp_verify") + f"?next={_next(request)}")
    device = services.pending_totp(user)
    error = ""
    if request.method == "POST":
        try:
            codes = services.confirm_totp(user, device, request.POST.get("code", ""))
        except InvalidInput as exc:
            error = exc.message
        else:
            device.refresh_from_db()
            otp_login(request, device)
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": _next(request), "first": True},
            )
    from base64 import b32encode

    return render(
        request,
        "accounts/otp_setup.html",
        {
            "qr": _qr_svg(device.config_url),
            "secret": _group(b32encode(device.bin_key).decode()),
            "error": error,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "required": services.second_factor_required(user),
            "replacing": services.has_second_factor(user),
        },
        status=422 if error else 200,
    )


@login_required
def otp_verify(request: UserRequest) -> HttpResponse:
    user: User = request.user
    if not services.has_second_factor(user):
        return HttpResponseRedirect(reverse("accounts:otp_setup") + f"?next={_next(request)}")
    if services.is_verified(user):
        return HttpResponseRedirect(_next(request))
    error = ""
    if request.method == "POST":
        try:
            device = services.match_code(user, request.POST.get("code", ""))
        except services.Throttled as exc:
            device, error = None, exc.message
        if device is not None:
            otp_login(request, device)
            left = services.backup_codes_left(user)
            if device.persistent_id.startswith("otp_static"):
                messages.warning(
                    request,
                    f"已使用一个备用验证码，还剩 {left} 个。请尽快在“账号安全”中重新生成。",
                )
            return HttpResponseRedirect(_next(request))
        error = error or (
            "验证码不正确或已使用。请输入手机验证器当前显示的 6 位数字，或一个备用验证码。"
        )
    return render(
        request,
        "accounts/otp_verify.html",
        {"error": error, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=422 if error else 200,
    )


@page
def security(request: ParkRequest) -> HttpResponse:
    user: User = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "device": services.totp_device(user),
            "required": services.second_factor_required(user),
            "backup_left": services.backup_codes_left(user),
            "tokens_live": tokens.visible_tokens(user, request.park).filter(revoked=False).count(),
        },
    )


@page
@require_POST
def backup_codes(request: ParkRequest) -> HttpResponse:
    codes = services.regenerate_backup_codes(request.user)
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "next": reverse("accounts:security"), "first": False},
    )


@page
@require_POST
def otp_remove(request: ParkRequest) -> HttpResponse:
    services.remove_own(request.user)
    messages.success(request, "已解绑手机验证器，登录时不再需要验证码。")
    return HttpResponseRedirect(reverse("accounts:security"))


class PasswordChange(PasswordChangeView):
    template_name = "accounts/password.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        update_session_auth_hash(self.request, form.user)
        messages.success(
            self.request, "密码已修改；您的全部访问令牌已随之吊销，如仍需要请重新签发。"
        )
        return response


# --------------------------------------------------------------------------- my tokens


def _token_form_defaults() -> dict:
    from django.conf import settings

    return {
        "days": settings.API_TOKEN_DAYS,
        "max_days": tokens.MAX_DAYS,
        "scopes": TokenScope.choices,
    }


@page
def my_tokens(request: ParkRequest) -> HttpResponse:
    user: User = request.user
    raw = None
    error = ""
    form = {"name": "", "days": "", "scope": TokenScope.READ}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("name", "days", "scope")}
        try:
            try:
                days = int(form["days"]) if form["days"] else None
            except ValueError:
                raise InvalidInput("有效期应为整数天", field="days")
            raw = tokens.issue(user, name=form["name"], days=days, scope=form["scope"], by=user)
        except ServiceError as exc:
            error = exc.message
        else:
            form = {"name": "", "days": "", "scope": TokenScope.READ}
    rows = paginate(request, tokens.visible_tokens(user, request.park), 30)
    return render(
        request,
        "accounts/tokens.html",
        {
            "page": rows,
            "raw": raw,
            "error": error,
            "form": form,
            "mine": True,
            **_token_form_defaults(),
        },
        status=422 if error else 200,
    )


@page
@require_POST
def revoke_token(request: ParkRequest, token_id: int) -> HttpResponse:
    user: User = request.user
    row = tokens.get_token(user, request.park, token_id)
    reason = "本人吊销" if row.user_id == user.pk else f"管理员 {user.display_name} 吊销"
    tokens.revoke(row, by=user, reason=reason)
    messages.success(request, f"令牌 {row.prefix}… 已吊销。")
    back = reverse("accounts:park_tokens") if request.POST.get("back") == "park" else None
    return HttpResponseRedirect(back or reverse("accounts:tokens"))


# --------------------------------------------------------------------------- park administrator


@roles_required(Role.ADMIN, page="登录安全")
def manage_security(request: ParkRequest) -> HttpResponse:
    user: User = request.user
    park = request.park
    people = services.park_users(user, park)
    q = request.GET.get("q", "").strip()
    if q:
        people = people.filter(
            Q(username__icontains=q) | Q(full_name__icontains=q) | Q(phone__icontains=q)
        )
    names = set(services.park_users(user, park).values_list("username", flat=True))
    locks = lockout.current_locks(names)
    users_page = paginate(request, people.order_by("role", "username"), 30)
    with_device = set(
        User.objects.filter(
            pk__in=[u.pk for u in users_page], totpdevice__confirmed=True
        ).values_list("pk", flat=True)
    )
    rows = [
        {
            "u": u,
            "has": u.pk in with_device,
            "required": services.second_factor_required(u),
        }
        for u in users_page
    ]
    events = SecurityEvent.objects.filter(park=park).select_related("user", "actor")[:30]
    return render(
        request,
        "accounts/manage_security.html",
        {
            "locks": locks,
            "rows": rows,
            "page": users_page,
            "q": q,
            "qs": query_without(request, "page"),
            "events": events,
        },
    )


@roles_required(Role.ADMIN, page="登录安全")
@require_POST
def manage_unlock(request: ParkRequest) -> HttpResponse:
    username = request.POST.get("username", "").strip()
    ip = request.POST.get("ip", "").strip()
    services.unlock(request.user, request.park, username=username, ip=ip)
    messages.success(request, f"已解除对{'账号 ' + username if username else '地址 ' + ip}的锁定。")
    return HttpResponseRedirect(reverse("accounts:manage_security"))


@roles_required(Role.ADMIN, page="登录安全")
@require_POST
def manage_reset_otp(request: ParkRequest, user_id: int) -> HttpResponse:
    target = services.reset_second_factor(
        request.user,
        request.park,
        user_id,
        request.POST.get("reason", ""),
    )
    messages.success(
        request, f"已重置 {target.display_name} 的二次验证，对方下次登录时重新绑定手机验证器。"
    )
    return HttpResponseRedirect(reverse("accounts:manage_security"))


@roles_required(Role.ADMIN, page="园区访问令牌")
def park_tokens(request: ParkRequest) -> HttpResponse:
    user: User = request.user
    qs = tokens.visible_tokens(user, request.park, everyone=True)
    status = request.GET.get("status", "live")
    if status == "live":
        from django.utils import timezone

        qs = qs.filter(revoked=False, expires_at__gt=timezone.now())
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(user__username__icontains=q) | Q(user__full_name__icontains=q) | Q(name__icontains=q)
        )
    return render(
        request,
        "accounts/tokens.html",
        {
            "page": paginate(request, qs, 30),
            "mine": False,
            "status": status,
            "q": q,
            "qs": query_without(request, "page"),
        },
    )

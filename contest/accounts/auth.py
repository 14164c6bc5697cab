"""Sign-in, sign-out, password change, session timeouts, and the role checks every view uses."""
from __future__ import annotations

import secrets
import time
from functools import wraps
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import (
    LoginManager,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from contest.accounts import operations, queries
from contest.accounts.models import User
from contest.contests.queries import public_contests_taking_entries
from contest.db import db, reads_only, utcnow
from contest.forms import BaseForm
from contest.marks import N_
from contest.notices.operations import mail_configured
from contest.policy import in_scope
from contest.views import audit_read, change

bp = Blueprint("auth", __name__, url_prefix="/auth")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
login_manager.localize_callback = gettext
login_manager.login_message_category = "warning"
# Counts failed sign-ins only; storage is shared by workers when RATELIMIT_STORAGE_URI points at Redis.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session, if still active and the session token still current."""
    user_id, _, token = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or not token or token != user.session_token or user.membership is None:
        return None  # (no role left open anywhere: nothing to act as)
    chosen = next((m for m in user.memberships if m.id == session.get("membership_id") and m.active), None)
    if chosen is not None:
        user.act_as(chosen)
    return user


@bp.before_app_request
def enforce_session_timeouts() -> Any:
    """Sign out after SESSION_IDLE_SECONDS without a request or SESSION_MAX_SECONDS in all."""
    if not current_user.is_authenticated:
        return None
    now = time.time()
    # A session without its sign-in time was restored from a remember-me cookie of an earlier
    # release (365 days, outliving both limits): it ends like an expired one.
    started, seen = session.get("login_at", 0.0), session.get("seen_at", 0.0)
    if now - seen > current_app.config["SESSION_IDLE_SECONDS"] or now - started > current_app.config["SESSION_MAX_SECONDS"]:
        logout_user()
        session.clear()
        session["_remember"] = "clear"  # Flask-Login then deletes any remember-me cookie too
        flash(gettext("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."), "warning")
        return redirect(url_for("auth.login", next=request.path if request.method == "GET" else None))
    session["seen_at"] = now
    return None


def role_required(*roles: str) -> Callable[[F], F]:
    """Sign-in required, then 403 unless the user holds one of the roles."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def get_or_404(model: type, object_id: int) -> Any:
    """The row with this id, or 404: also when it belongs to another organisation than the one the
    person acts for (policy.in_scope), so no view can forget the organisation."""
    obj = db.session.get(model, object_id)
    if obj is None or not in_scope(current_user, obj):
        abort(404)
    return obj


def is_safe_next(target: str | None) -> bool:
    """Only our own relative paths are followed after sign-in."""
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
        and "\\" not in target


class LoginForm(BaseForm):
    username = StringField(_l("Tên đăng nhập"),
                           validators=[DataRequired(_l("Tên đăng nhập: không được để trống."))])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Mật khẩu: không được để trống."))])
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))


class PasswordForm(BaseForm):
    current = PasswordField(_l("Mật khẩu hiện tại"),
                            validators=[DataRequired(_l("Mật khẩu hiện tại: không được để trống."))])
    new = PasswordField(_l("Mật khẩu mới"),
                        validators=[DataRequired(_l("Mật khẩu mới: không được để trống.")),
                                    Length(min=8, message=_l("Mật khẩu mới: cần ít nhất 8 ký tự."))])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[EqualTo("new", _l("Nhập lại mật khẩu mới: không khớp với mật khẩu mới."))])


def _failed(response: Any) -> bool:
    """Only a refused sign-in counts towards the limit."""
    return response.status_code != 302


# A hash of a random password, checked when the name is unknown (see login).
_DECOY_HASH = generate_password_hash(secrets.token_hex(16), method="scrypt")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed,
               key_func=lambda: f"{get_remote_address()}|{(request.form.get('username') or '').strip().lower()}")
# ...and per address alone, whatever names it tries (one address guessing many accounts).
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"], deduct_when=_failed,
               key_func=get_remote_address)
@reads_only
def login() -> Any:
    """Sign in with a username and password; a fresh session each time."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = queries.user_named(username)
        # An unknown name costs the same scrypt check as a known one: the time tells nothing.
        matches = user.check_password(form.password.data) if user else check_password_hash(_DECOY_HASH, form.password.data)
        succeeded = bool(user and matches and user.active and user.membership is not None)
        audit_read(lambda: operations.record_sign_in(user, username, succeeded, get_remote_address() or ""))
        if not succeeded:
            flash(gettext("Tên đăng nhập hoặc mật khẩu không đúng."), "danger")
        else:
            target = request.args.get("next")
            session.clear()  # a new session at sign-in: nothing carried over from before
            # "Ghi nhớ" keeps the session cookie across browser restarts, within the same limits
            # (2 h idle, 12 h in all): no separate long-lived remember-me cookie is ever issued.
            login_user(user, remember=False)
            session.permanent = bool(form.remember.data)
            session["login_at"] = session["seen_at"] = time.time()
            return redirect(target if is_safe_next(target) else url_for("main.home"))
    return render_template("auth/login.html", form=form, open_contests=public_contests_taking_entries(utcnow()))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Any:
    """Sign out everywhere: the session token changes, so no old cookie works again."""
    change(lambda: operations.sign_out(current_user, get_remote_address() or ""))
    logout_user()
    session.clear()
    flash(gettext("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    """Change one's own password; every other session ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if change(lambda: operations.change_password(user, form.current.data, form.new.data), form).ok:
            login_user(user)  # this session goes on with the new token
            flash(gettext("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


class AccountForm(BaseForm):
    """What a person sets on their own account: where notices are e-mailed, and whether they are."""

    email = StringField(_l("Thư điện tử"), validators=[Length(max=254, message=_l("Thư điện tử: tối đa 254 ký tự."))])
    notices_by_email = BooleanField(_l("Nhận thông báo qua thư điện tử"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Any:
    """One's own account: e-mail address and e-mail notices on or off (the in-app list always has them)."""
    user = current_user._get_current_object()
    form = AccountForm(data={"email": user.email, "notices_by_email": user.notices_by_email})
    if form.validate_on_submit() and change(
            lambda: operations.update_contact(user, form.email.data or "", form.notices_by_email.data), form).ok:
        flash(gettext("Đã lưu cách nhận thông báo."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, by_email=mail_configured()), 400 if form.errors else 200


@bp.route("/language", methods=["POST"])
@login_required
def language() -> Any:
    """Switch one's own interface language, then go back to the page it was chosen on."""
    change(lambda: operations.set_language(current_user._get_current_object(), request.form.get("language", "")))
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("main.home"))


@bp.route("/act-as", methods=["POST"])
@login_required
def act_as() -> Any:
    """Act for another of one's memberships (a ward's participant who also judges for the town);
    the choice lasts for this session and is checked again on every request."""
    wanted = request.form.get("membership", "")
    chosen = next((m for m in current_user.memberships if str(m.id) == wanted and m.active), None)
    if chosen is None:
        flash(gettext("Vai trò: không tìm thấy vai trò này trong tài khoản của bạn."), "danger")
    else:
        session["membership_id"] = chosen.id
        flash(gettext("Đang làm việc với vai trò %(role)s, %(organisation)s.", role=gettext(chosen.role_label),
                      organisation=chosen.organisation.name), "info")
    return redirect(url_for("main.home"))

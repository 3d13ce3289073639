"""Identity tables: accounts (personal data encrypted, looked up by blind index), pending
registrations, sign-in throttles, sessions and devices, account activity, TOTP, businesses."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel import clock
from citizencloud.kernel.crypto import BlindIndexField, EncryptedField


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    BUSINESS = "business", _("Business")
    STAFF = "staff", _("Staff")
    ADMIN = "admin", _("Administrator")


class Assurance(models.IntegerChoices):
    NONE = 0, _("Not verified")
    PHONE = 1, _("L1 · phone verified")
    IDENTITY = 2, _("L2 · identity verified")


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, password: str | None = None, **fields: Any) -> User:
        """Create an active account of ``kind`` (default citizen) with a hashed password."""
        if not username:
            raise ValueError("username is required")
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **fields: Any) -> User:
        fields.update(kind=UserKind.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: a citizen, a person acting for a business, staff or an admin.

    ``display_name`` is never the clear real name of a citizen (it holds the masked form, which
    is what audit snapshots and headers show); ``real_name`` is encrypted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = models.CharField(_("login name"), max_length=150, unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=UserKind.choices, default=UserKind.CITIZEN
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=clock.now)
    real_name = EncryptedField(_("real name"), null=True, blank=True)
    id_number = EncryptedField(_("ID number"), null=True, blank=True)
    id_number_index = BlindIndexField(source="id_number", kind="id_number", unique=True, null=True)
    phone = EncryptedField(_("mobile phone"), null=True, blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone", unique=True, null=True)
    assurance = models.PositiveSmallIntegerField(
        _("assurance level"), choices=Assurance.choices, default=Assurance.NONE
    )
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def must_use_mfa(self) -> bool:
        return self.kind in (UserKind.STAFF, UserKind.ADMIN)


class PendingRegistration(models.Model):
    """A registration waiting for its phone code; becomes a ``User`` when the code is right."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    real_name = EncryptedField()
    id_number = EncryptedField()
    phone = EncryptedField()
    phone_index = BlindIndexField(source="phone", kind="phone", db_index=True)
    password = models.CharField(max_length=128)
    code = EncryptedField()
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"registration {self.public_id}"


class LoginThrottle(models.Model):
    """Consecutive sign-in failures of one login name or one IP, held in the database so the
    limit holds across processes. ``key`` is a keyed hash, never the login itself."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", "account"
        IP = "ip", "ip"

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="throttle_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} throttle"


class Business(models.Model):
    """A company or organisation, identified by its unified social credit code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_representative = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="represented_businesses"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name


class AgentPower(models.TextChoices):
    APPLY = "apply", _("Apply for services")
    PAY = "pay", _("Pay bills and fees")
    VIEW = "view", _("View records")


class AgentGrant(models.Model):
    """Powers a legal representative granted a person to act for a business; revocable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="grants")
    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="agent_grants")
    powers = models.JSONField(default=list)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "agent"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_grant_per_agent",
            )
        ]

    def __str__(self) -> str:
        return f"grant {self.public_id}"


class UserSession(models.Model):
    """One signed-in device: the page session and/or the API bearer token it holds."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, null=True, blank=True, db_index=True)  # noqa: DJ001
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    device_hash = models.CharField(max_length=64, blank=True, db_index=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    mfa = models.BooleanField(default=False)
    acting_as = models.ForeignKey(Business, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"session {self.public_id}"


class Activity(models.Model):
    """What happened to an account, for its owner's activity page."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Account created")
        LOGIN = "login", _("Signed in")
        NEW_DEVICE = "new_device", _("Signed in from a new device")
        LOGIN_FAILED = "login_failed", _("Failed sign-in attempt")
        LOGOUT = "logout", _("Signed out")
        SESSION_ENDED = "session_ended", _("Session ended")
        MFA_ENROLLED = "mfa_enrolled", _("Two-step verification turned on")
        MFA_DISABLED = "mfa_disabled", _("Two-step verification turned off")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        NOT_ME = "not_me", _("Reported as not me")
        PHONE_CHANGED = "phone_changed", _("Mobile phone number changed")
        DISPLAY_NAME_CHANGED = "name_changed", _("Display name changed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    session = models.ForeignKey(UserSession, on_delete=models.SET_NULL, null=True, blank=True)
    reported = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class TotpDevice(models.Model):
    """The account's authenticator app (RFC 6238); confirmed once a first code matched."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret = EncryptedField()
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"totp {self.public_id}"


class RecoveryCode(models.Model):
    """A single-use code for when the authenticator is lost (stored as a keyed hash)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "recovery code"


# --- OIDC provider (django-oauth-toolkit) -----------------------------------------------------


class ClientProfile(models.Model):
    """What the platform adds to an OAuth application: its sector (for pairwise subject ids),
    the department or partner city it belongs to, and its public keys for ``private_key_jwt``."""

    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="profile"
    )
    sector_identifier = models.CharField(
        _("sector"),
        max_length=200,
        blank=True,
        help_text=_(
            "Apps of one sector share subject ids; empty: the host of the first redirect URI."
        ),
    )
    owner = models.CharField(_("department or partner city"), max_length=200, blank=True)
    jwks = models.JSONField(_("public keys (JWKS) for private_key_jwt"), default=dict, blank=True)

    def __str__(self) -> str:
        return f"profile of {self.application_id}"


class Consent(models.Model):
    """A person's remembered permission for an app to receive some claims; revocable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    application = models.ForeignKey("oauth2_provider.Application", on_delete=models.CASCADE)
    scopes = models.JSONField(default=list)
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_consent_per_app",
            )
        ]

    def __str__(self) -> str:
        return f"consent {self.public_id}"


class CodeExchange(models.Model):
    """Which access token an authorization code bought, so a replayed code revokes it."""

    code_hash = models.CharField(max_length=64, unique=True)
    access_token = models.ForeignKey(
        "oauth2_provider.AccessToken", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return "code exchange"


class AssertionJti(models.Model):
    """``jti`` of client assertions already used (``private_key_jwt`` replay protection)."""

    client_id = models.CharField(max_length=100)
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "jti"], name="assertion_jti_once")
        ]

    def __str__(self) -> str:
        return "assertion jti"


class PasswordReset(models.Model):
    """A code texted to an account's phone to set a new password (and lift a lockout)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone_index = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True)
    code = EncryptedField()
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"password reset {self.public_id}"


class PhoneChange(models.Model):
    """A request to move an account to a new mobile number, waiting for the code texted to the
    new number. ``old_phone`` is kept (sealed) only so the old number can be told afterwards."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_changes")
    phone = EncryptedField()
    phone_index = BlindIndexField(source="phone", kind="phone", db_index=True)
    old_phone = EncryptedField(null=True, blank=True)
    code = EncryptedField()
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"phone change {self.public_id}"

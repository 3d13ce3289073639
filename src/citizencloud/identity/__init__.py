"""One account for everything (一号通行): users of every kind, sign-in, sessions, MFA, OIDC.

The foundation defines the custom user model from the first migration; the identity issue fills
in registration, real-name assurance, businesses and the OIDC provider.
"""

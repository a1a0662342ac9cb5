"""Policy rows for sign-in, second factors, the three administrators, passwords and sessions
(the pages'; the API's rows for the three administrators are in gateway/policy.py's POLICY)."""
from __future__ import annotations

from ..vocabulary import ACCOUNT_ROLES

ADMINS = frozenset({"admin", "secadmin"})
ACCOUNTS = frozenset(ACCOUNT_ROLES)  # every signed-in person (an API key is not a person)
ACTIONS = "<any(disable,enable,unlock,reset,reset2fa):action>"


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        # the second step of signing in: the sign-in challenge in the form is the proof
        ("POST", "/login/otp"): public,
        ("POST", "/login/enrol"): public,
        # the accounts' pages: the system administrator disables and enables, the security administrator
        # unlocks and resets the password or the second factor (ACTIONS_OF in gateway/pages/console/accounts.py),
        # neither on their own account
        ("GET", "/console/accounts"): ADMINS,
        ("GET", f"/console/accounts/<username:username>/{ACTIONS}"): ADMINS,
        ("POST", f"/console/accounts/<username:username>/{ACTIONS}"): ADMINS,
        ("GET", "/console/accounts/provision"): frozenset({"admin"}),
        # each signed-in person's own sign-in history (gateway/pages/console/sign_ins.py)
        ("GET", "/console/sign-ins"): ACCOUNTS,
        ("POST", "/console/accounts/provision"): frozenset({"admin"}),
    }

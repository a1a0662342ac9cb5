"""Each signed-in person's own sign-in history: their last 30 sign-ins and failures (the time in
the county's time zone, the address, the result), from the units service's records of every
attempt (services/units/lockout.py), so that someone who sees a failure they did not make can
tell the security administrator."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..kit.pages import page, uncached

SHOWN = 30
RESULTS = {"ok": "登录成功", "wrong_password": "密码错误", "wrong_code": "动态验证码错误", "locked": "已锁定"}


class ConsoleSignIns:
    """Mixed into GatewayService; needs `units` and `web`."""

    @page("GET", "/console/sign-ins")
    def console_sign_ins_page(self, request: Request) -> Response:
        rows = self.units.sign_in_history(request.actor["username"], SHOWN)
        response = self.web.page(request, "console/sign_ins.html", title="我的登录记录", rows=rows,
                                 results=RESULTS, shown=SHOWN)
        return self.renew_session(request, uncached(response))

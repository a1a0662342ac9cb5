"""The page entrypoint: an ApiEndpoint (so the policy table, rate limits, request ids and the
audit of posts apply as to the API) that reads the browser's session, checks the CSRF token of
every form post before its worker runs, answers HTML error pages instead of the JSON envelope,
sets the pages' Content-Security-Policy and is left out of the OpenAPI document."""
from __future__ import annotations

import logging
from functools import partial
from typing import Any, Callable
from urllib.parse import quote

from eventlet.event import Event
from nameko.extensions import DependencyProvider
from werkzeug.exceptions import HTTPException
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import console_links, i18n, tracing
from services.common.errors import DomainError

from ...http import REQUEST_ID_HEADER, ApiEndpoint
from .csrf import FIELD, CsrfRefused, CsrfTokens
from .forms import FormRefused, read_form
from .idle import IdleSessions, forget
from .render import render
from .session import end_session, is_browser_session, refresh_token_of, viewer_of

log = logging.getLogger(__name__)

# no script at all, styles and images only from here (QR codes inline as data: too), forms only to here;
# connect-src 'self' lets no page script connect (there is none) but lets tools that read the site
# from inside a page fetch its own files: Lighthouse reads /robots.txt so (its SEO audit failed on
# default-src 'none', GoogleChrome/lighthouse#4386)
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
LOGIN = "/login"
ELDER_COOKIE = "gongkai_elder"  # "1": the portal's large-print layout (长辈版)
TITLES = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "页面不存在", 405: "页面不存在",
          409: "现在不能这样做", 410: "已不再提供", 413: "内容太大", 415: "请用网页表单提交",
          422: "无法处理", 429: "访问太频繁", 503: "服务暂时不可用"}


class Web:
    """What every page of one gateway shares: the CSRF tokens, the form size limit and the
    portal's settings (config.yaml PORTAL)."""

    def __init__(self, config: dict[str, Any]):
        gateway, portal = config.get("GATEWAY") or {}, config.get("PORTAL") or {}
        self.secret = gateway["JWT_SECRET"]
        self.tokens = CsrfTokens(self.secret)
        self.idle = IdleSessions(self.secret, gateway.get("SESSION_IDLE_MINUTES"))
        self.secure = str(gateway.get("HSTS")).strip().lower() in ("true", "1", "yes", "on")
        self.max_form = int(portal.get("MAX_FORM_BYTES") or 64 * 1024)
        self.site = {"county": portal.get("COUNTY_NAME") or "本县",
                     "hotline": str(portal.get("HOTLINE") or ""),
                     "base_url": str(portal.get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
                     **filings(portal)}

    def csrf_token(self, viewer: dict[str, Any] | None) -> str:
        return self.tokens.issue(subject_of(viewer))

    def page(self, request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None,
             **context: Any) -> Response:
        """Render a template with what every page needs: the reader, the site's settings, the
        path, `csrf_token()` for a form (a new token each time it is called) and, on a console
        page, `unread()` for its bar (gateway/pages/console/inbox.py)."""
        viewer = getattr(request, "actor", None)
        context.setdefault("unread", getattr(request, "unread", None))
        return render(template, status, headers, viewer=viewer, site=self.site, path=request.path,
                      here=request.full_path.rstrip("?"), elder=elder_of(request),
                      csrf_token=lambda: self.csrf_token(viewer), **context)


def filings(portal: dict[str, Any]) -> dict[str, str]:
    """The footer's registrations, as Chinese government sites show them: the site's
    identification code (网站标识码), the ICP filing (ICP备案号) and the public-security filing
    (公安机关备案号, whose record page is addressed by its digits)."""
    psb = str(portal.get("PSB_FILING") or "").strip()
    return {"site_code": str(portal.get("SITE_CODE") or "").strip(), "icp": str(portal.get("ICP_FILING") or "").strip(),
            "psb": psb, "psb_code": "".join(c for c in psb if c.isdigit())}


def elder_of(request: Request) -> bool:
    """The reader chose the large-print layout (长辈版, pages/portal/display.py); the console keeps its own."""
    return request.cookies.get(ELDER_COOKIE) == "1" and not request.path.startswith("/console")


def subject_of(viewer: dict[str, Any] | None) -> str:
    return viewer["username"] if viewer else ""


def web_of(container: Any) -> Web:
    web = getattr(container, "gongkai_web", None)
    if web is None:
        web = Web(container.config)
        container.gongkai_web = web
    return web


class WebProvider(DependencyProvider):
    """`self.web` in a page handler: the container's one Web."""

    def get_dependency(self, worker_ctx: Any) -> Web:
        return web_of(self.container)


class PageEndpoint(ApiEndpoint):
    in_openapi = False

    def __init__(self, method: str, url: str, query: Any = None, csrf: bool = True,
                 max_form: int | Callable[[dict[str, Any]], int] | None = None,
                 too_large: Callable[[dict[str, Any]], str] | None = None, form_page: str | None = None,
                 **kwargs: Any):
        """`max_form`: a form with a file (the item editor's photo) may be larger than MAX_FORM_BYTES
        (a number, or one computed from the config); `too_large`: what to say, from the config,
        when such a form is over it (the attachment limit, say); `form_page`: the page holding
        this post's form when it is not the same path (where a post whose session has ended
        sends the browser back after signing in)."""
        super().__init__(method, url, query=query, produces=("text/html",), **kwargs)
        self.csrf, self.max_form, self.too_large, self.form_page = csrf, max_form, too_large, form_page

    def setup(self) -> None:
        super().setup()
        self.web = web_of(self.container)
        if callable(self.max_form):
            self.max_form = int(self.max_form(self.container.config))
        if callable(self.too_large):
            self.too_large = self.too_large(self.container.config)

    def caller_of(self, request: Request) -> dict[str, Any] | None:
        """The reader; a browser session idle for longer than its role's limit has ended
        (request.idle_ended: the limit in minutes), and its reader is anonymous."""
        viewer = viewer_of(request, self.secret)
        request.idle_ended = self.web.idle.ended(request, viewer)
        return None if request.idle_ended else viewer

    def admit(self, request: Request, actor: dict[str, Any] | None) -> None:
        """A form post: read within the size limit, its CSRF token good once for this reader."""
        if request.method != "POST":
            return
        try:
            request.form_data = read_form(request, self.max_form or self.web.max_form)
        except FormRefused as exc:
            if exc.status == 413 and self.too_large:
                raise FormRefused(413, "too_large", self.too_large) from None
            raise
        if self.csrf:
            self.web.tokens.check(request.form_data.get(FIELD), subject_of(actor))

    def call(self, request: Request, request_id: str) -> Response:
        try:
            return super().call(request, request_id)
        except Exception as exc:
            return self.error_page(exc, request, request_id)

    def handle_request(self, request: Request) -> Response:
        response = super().handle_request(request)
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = PAGE_CSP
        self.mark_activity(request, response)
        return response

    def mark_activity(self, request: Request, response: Response) -> None:
        """An idle session's cookies go and its refresh token is revoked; a used one is stamped
        with this moment."""
        viewer = getattr(request, "actor", None)
        if getattr(request, "idle_ended", None):
            self.revoke_refresh(request, response.headers.get(REQUEST_ID_HEADER, ""))
            end_session(response, self.web.secure)
            forget(response, self.web.secure)
        elif viewer is not None and is_browser_session(request):
            self.web.idle.stamp(response, viewer["username"], self.web.secure)

    def revoke_refresh(self, request: Request, request_id: str) -> None:
        """Revoke the refresh cookie's session through the service's `revoke_idle_session`
        worker (gateway/pages/kit/idle.py), and wait for it: the answer leaves only once no copy
        of the cookie can renew the session. Units not answering is logged; the answer goes on."""
        refresh = refresh_token_of(request)
        revoker = next((e for e in self.container.entrypoints if getattr(e, "revokes_idle_sessions", False)), None)
        if refresh is None or revoker is None:
            return
        done = Event()
        self.container.spawn_worker(revoker, (refresh,), {}, handle_result=partial(self.handle_result, done),
                                    context_data={"correlation_id": request_id,
                                                  tracing.HEADER: getattr(request, "traceparent", None)})
        try:
            done.wait()
        except Exception:
            log.warning("request %s: could not revoke the refresh token of a session that ended idle", request_id,
                        exc_info=True)

    def error_page(self, exc: BaseException, request: Request, request_id: str) -> Response:
        """Typed errors as a page with their status and message; a 401 sends the browser to
        sign in and come back; anything else is a 500 page with the request id, never a trace."""
        if isinstance(exc, DomainError):
            status, headers = exc.status, dict(getattr(exc, "headers", None) or {})
            message = i18n.translate(exc.message)  # an older English message in Chinese
        elif isinstance(exc, HTTPException):
            status, message, headers = exc.code or 500, TITLES.get(exc.code or 500, "请求有误"), {}
        else:
            log.error("page %s %s failed (request %s)", request.method, request.path, request_id,
                      exc_info=(type(exc), exc, exc.__traceback__))
            status, message, headers = 500, "系统出了点问题，我们会尽快处理。请稍后再试。", {}
        if status == 401:
            idle = f"&idle={request.idle_ended}" if getattr(request, "idle_ended", None) else ""
            if request.method == "GET":
                return redirect(f"{LOGIN}?next={quote(request.full_path.rstrip('?'), safe='/')}{idle}", 303)
            # a form sent after the session ended: say so at sign-in, then back to the form's page
            return redirect(f"{LOGIN}?next={quote(self.form_page_of(request), safe='/')}&unsent=1", 303)
        headers.pop("WWW-Authenticate", None)
        retry, back = headers.get("Retry-After"), None
        title = TITLES.get(status, "出了点问题")
        if status == 429:
            message = f"您的操作太频繁了，请在 {retry or 60} 秒后再试。"
        elif status == 503:
            message = "服务暂时不可用，请稍后再试。"
        if isinstance(exc, CsrfRefused):
            title, back = "表单已失效，没有提交", self.form_page_of(request)
            message = f"{message}这次提交的内容没有保存，什么也没有改变。"
        elif isinstance(exc, FormRefused) and request.method == "POST":
            back = self.form_page_of(request)
            message = f"{message}这次提交的内容没有保存。"
        gone_list = console_links.LISTS.get(exc.details.get("kind")) if isinstance(exc, DomainError) else None
        request.actor = getattr(request, "actor", None)
        return self.web.page(request, "error.html", status, headers, title=title, message=message,
                             code=status, request_id=request_id, back=back, gone_list=gone_list)

    def form_page_of(self, request: Request) -> str:
        """The page a post's form is on: `form_page`, else the same path (a confirmation page)."""
        return self.form_page or request.path


page = PageEndpoint.decorator


def cached(request: Request, response: Response, max_age: int = 60) -> Response:
    """ETag and Cache-Control on a page anyone may cache for `max_age` seconds (a signed-in
    reader's pages: private and revalidated); 304 when the browser's copy is current."""
    signed_in = getattr(request, "actor", None) is not None or "Authorization" in request.headers
    response.headers["Cache-Control"] = "private, no-cache" if signed_in else f"public, max-age={max_age}"
    response.headers["Vary"] = "Cookie, Authorization"
    response.add_etag()
    return response.make_conditional(request)


def uncached(response: Response) -> Response:
    """A page holding a form (its CSRF token is new each time): never stored."""
    response.headers["Cache-Control"] = "no-store"
    return response

"""The gateway's web pages: server-rendered Jinja2 (autoescaped), our own CSS, no JavaScript.

Pages go through the same door as the API: a page route is an ApiEndpoint (gateway/http.py),
so the policy table, the rate limits, request ids and the audit of every form post apply alike;
its errors are HTML pages (404, 403, 429 saying when to try again, 500 with the request id and
never a trace), a 401 sends the browser to /login?next=<where it was>, and pages are left out
of the OpenAPI document.

Adding a page
-------------
1. A method in a mixin class under gateway/pages/portal or gateway/pages/console (combined by the room's
   PortalPages or ConsolePages, mixed into GatewayService), decorated with
   `@page(method, rule, query=...)`; rules use the API's bounded converters (`<code:code>`,
   `<id:item_id>`, ...) and a query schema from gateway/params.py, read as `request.params`::

       from gateway.pages.kit import cached, page

       class PortalRoutes:
           @page("GET", "/units/<code:code>", query=UnitPageQuery)
           def unit_page(self, request, code):
               unit = self.units.get_unit(code)   # data over RPC, as the API does
               return cached(request, self.web.page(request, "unit.html", unit=unit))

2. A row for it in gateway/policy.py's PAGES table (route × role), like the API's POLICY.
3. A template under gateway/templates/ that `{% extends "base.html" %}` and fills
   `{% block main %}`; `title` sets the page title. Every template gets `viewer` (the reader's
   actor or None), `site` (county, hotline, base_url from config PORTAL), `path` and
   `csrf_token()`, `here` (the path with its query) and `elder` (the reader chose 长辈版); filters `cn_date` (2026年12月1日, county time zone), `cn_datetime`,
   `cn_weekday`, `percent`, `message` (a text a service wrote, such as a trail's step, through the
   catalogues: services/common/i18n.py); `static_url('gongkai.css')`.
4. A form: `{% import "_forms.html" as forms with context %}` then `{{ forms.csrf() }}` inside the form
   (required: a post without a good token is refused with 403 before the worker runs; a token is
   good once and for two hours, for the reader it was given to), `{{ forms.honeypot() }}` on an
   anonymous form (then `is_bot(request.form_data)` in the handler: answer as if accepted, store
   nothing), `forms.field(...)`/`forms.choice(...)` for labelled fields with their errors tied to
   them. The handler reads `request.form_data` (already read within PORTAL.MAX_FORM_BYTES) and
   validates with `validate_form(Schema(), data, labels)`; on errors re-render the form with
   status 400 and the sender's text. Wrap a page holding a form in `uncached(...)`.
   A form with a file takes `@page(..., max_form=<bytes, or a function of the config>,
   too_large=<a function of the config giving what to say when it is over>)`. A post whose
   session has ended is not lost silently: the browser goes to /login?next=<the form's page>&unsent=1,
   which says the form was not sent (`form_page=` names that page when it is not the post's
   own path). A form about something that moves on (an item) carries what its reader saw (the
   item's trail length as `seen`) and is refused with a 409 saying who did what when
   (gateway/pages/console/item_pages.py).
5. Who reads: `request.actor` (a bearer token, else the session cookie, read only by
   gateway/pages/kit/session.py `session_actor`, where the console's sign-in plugs in).

Caching: `cached(request, response, max_age)` adds an ETag and Cache-Control (public for
anonymous readers, private and revalidated for signed-in ones) and answers 304 on a match.
Every HTML answer carries PAGE_CSP: no script at all, styles and images from this origin only.
"""
from .csrf import FIELD as CSRF_FIELD
from .forms import HONEYPOT, is_bot, validate_form
from .pages import ELDER_COOKIE, PAGE_CSP, PageEndpoint, WebProvider, cached, elder_of, page, uncached
from .session import COOKIE, session_actor

__all__ = ["CSRF_FIELD", "COOKIE", "ELDER_COOKIE", "HONEYPOT", "PAGE_CSP", "PageEndpoint", "WebProvider", "cached", "is_bot",
           "elder_of", "page", "session_actor", "uncached", "validate_form"]

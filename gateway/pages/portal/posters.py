"""一村一码: each unit's QR code (segno, error correction Q) opening its portal page at
PORTAL.PUBLIC_BASE_URL, a printable A4 poster per unit, and a town's posters in one go: one
printable page (a poster per sheet) or a zip of the QR codes as PNG files, one per unit."""
from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache
from typing import Any

import segno
from werkzeug.wrappers import Request, Response

from ...errors import ApiError
from ..kit import cached, page

ERROR_CORRECTION = "q"  # 25% of the code may be damaged or covered (M is the minimum asked for)
UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


@lru_cache(maxsize=4096)
def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error=ERROR_CORRECTION, micro=False).save(out, kind="svg", scale=8, border=4,
                                                               xmldecl=False, title="二维码")
    return out.getvalue()


@lru_cache(maxsize=4096)
def qr_png(url: str, scale: int = 12) -> bytes:
    out = io.BytesIO()
    segno.make(url, error=ERROR_CORRECTION, micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def unit_url(base_url: str, code: str) -> str:
    return f"{base_url}/units/{code}"


class PosterRoutes:
    def _active_unit(self, request: Request, code: str) -> dict[str, Any] | Response:
        """The unit, or the page saying it was dissolved or merged (and into what)."""
        unit = self._unit(code)
        if unit["status"] != "active":
            return cached(request, self._gone(request, unit))
        return unit

    @page("GET", "/units/<code:code>/qr.<any(svg,png):fmt>")
    def unit_qr(self, request: Request, code: str, fmt: str) -> Response:
        """The unit's QR code; a dissolved or merged unit has none (410 with its successor)."""
        unit = self._active_unit(request, code)
        if isinstance(unit, Response):
            return unit
        url = unit_url(self.web.site["base_url"], code)
        body, media_type = (qr_svg(url), "image/svg+xml") if fmt == "svg" else (qr_png(url), "image/png")
        response = Response(body, mimetype=media_type)
        return cached(request, response, max_age=86400)

    @page("GET", "/units/<code:code>/poster")
    def unit_poster(self, request: Request, code: str) -> Response:
        """An A4 poster for the unit's notice board (公开栏): its name, the code, what it is for, the hotline."""
        unit = self._active_unit(request, code)
        if isinstance(unit, Response):
            return unit
        return cached(request, self.web.page(request, "posters.html", title=f"{unit['name']}二维码", units=[unit],
                                             base_url=self.web.site["base_url"]))

    def _town_units(self, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        town = self.units.get_unit(code, False)
        if town["sector"] != "town":
            raise ApiError(404, "not_found", f"{town['name']}不是镇（街道），请从镇（街道）打印。")
        units = [u for u in self.units.subtree(code) if u["status"] == "active"]
        return town, sorted(units, key=lambda u: u["code"])

    @page("GET", "/towns/<code:code>/posters")
    def town_posters(self, request: Request, code: str) -> Response:
        """Every active unit of a town, a poster per A4 sheet, to print in one go."""
        town, units = self._town_units(code)
        return cached(request, self.web.page(request, "posters.html", title=f"{town['name']}各单位二维码",
                                             units=units, town=town, base_url=self.web.site["base_url"]))

    @page("GET", "/towns/<code:code>/posters.zip")
    def town_posters_zip(self, request: Request, code: str) -> Response:
        """The town's units' QR codes as PNG files in a zip, named by code and name."""
        town, units = self._town_units(code)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
            for unit in units:
                name = UNSAFE_FILENAME.sub("_", f"{unit['code']}-{unit['name']}")[:80]
                archive.writestr(f"{name}.png", qr_png(unit_url(self.web.site["base_url"], unit["code"])))
        response = Response(out.getvalue(), mimetype="application/zip")
        response.headers["Content-Disposition"] = f'attachment; filename="{town["code"]}-posters.zip"'
        return cached(request, response)

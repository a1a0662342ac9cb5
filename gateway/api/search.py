"""/api/v1/search: the full-text search of what is disclosed, as the portal's /search runs it
(the disclosure service's search_items decides what the caller may find)."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .. import queries, readmodel
from ..http import api


class SearchRoutes:
    @api("GET", "/api/v1/search", query=queries.SearchQuery)
    def search(self, request: Request) -> Response:
        """Items matching `q` in their title, body or attachments' text, 20 a page, each with its
        unit, date and a snippet whose matched words are marked; filters town, unit, year, matter
        (a catalogue code), sort; an unknown town, unit or matter is a 400."""
        q, filters = queries.search_request(request.params)
        answer = self.disclosure.search_items(self.access.actor(request), {"q": q, **filters,
                                                                           "page": request.params["page"]})
        return readmodel.json_conditional(request, answer)

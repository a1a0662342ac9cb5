"""The HTTP/JSON door to Gongkai for web and mobile clients and other county systems.

Its rooms:
- gateway/api/: the JSON API, one module per resource (combined by `api.ApiRoutes`);
- gateway/pages/portal/ and gateway/pages/console/: the public portal's and the staff console's
  pages (templates in gateway/templates and gateway/templates/console), on the machinery of
  gateway/pages/kit/ (the page entrypoint, forms, CSRF, the session, rendering, static files);
- gateway/clients/: one typed client per service, the only place that names an RPC;
- at the top: what the rooms share (service.py wires them; policy.py is the one policy table;
  http.py the API entrypoint; errors, params, queries, schemas, labels, vocabulary, the read
  model, audit, auth, CORS and rate limits).
API modules and pages never import each other (tests/test_architecture.py)."""

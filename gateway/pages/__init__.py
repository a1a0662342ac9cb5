"""The gateway's server-rendered pages: the public portal (gateway/pages/portal), the staff
console (gateway/pages/console) and the machinery both use (gateway/pages/kit: the page
entrypoint, forms, CSRF, the session, rendering and static files). Pages call the services
through gateway/clients and never import an API module (tests/test_architecture.py)."""

"""pytest's root: eventlet patches the standard library before anything imports it (nameko
needs it), and the clusters shared by several test modules are registered once, as plugins, so
each is started once per session (a fixture imported into two modules would be two fixtures).
The fixtures themselves are in tests/conftest.py and the modules named here."""
import eventlet

eventlet.monkey_patch()

pytest_plugins = ["tests.gateway.pages.console_fixtures", "tests.gateway.pages.portal_fixtures"]

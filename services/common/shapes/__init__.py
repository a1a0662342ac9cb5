"""Wire shapes: the request bodies that both the gateway and a service validate, one module
per service. They live here, not in a service's package, so the gateway can be deployed
without any service's models or rules (tests/test_gateway_imports.py holds it to that)."""

"""The gateway's routes, one module per resource; GatewayService combines them."""

-- Signing in with a password (the demo operator's), as the web console does.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"grant_type": "password", "username": "%s", "password": "%s"}',
                         os.getenv("LOAD_USERNAME"), os.getenv("LOAD_PASSWORD"))

-- Counted in every load script: answers by class, per thread, summed in done().
local threads = {}

function init(args)
  server_errors, client_errors, answered = 0, 0, 0
end

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 500 then
    server_errors = server_errors + 1
  elseif status >= 400 then
    client_errors = client_errors + 1
  end
  if on_response then on_response(status, body) end
end

function done(summary, latency, requests)
  local s, c, n = 0, 0, 0
  for _, thread in ipairs(threads) do
    s = s + (thread:get("server_errors") or 0)
    c = c + (thread:get("client_errors") or 0)
    n = n + (thread:get("answered") or 0)
  end
  io.write(string.format("GONGKAI answered=%d server_errors=%d client_errors=%d p99_us=%d\n",
                         n, s, c, latency:percentile(99)))
  io.flush()
end

-- The item workflow, one item after another: the operator drafts and submits, the reviewer
-- reviews and approves (which publishes). One connection, so the steps follow each other.
local step, item, made = 0, nil, 0
local operator = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("LOAD_OPERATOR")}
local reviewer = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("LOAD_REVIEWER")}
local actions = {"submit", "review", "approve"}

function request()
  if step == 0 or item == nil then
    made = made + 1
    local body = string.format('{"unit_code": "A001", "title": "负载测试事项 %d-%d", "body": "……", ' ..
                               '"audience": "society", "carriers": ["网站"]}', id or 0, made)
    return wrk.format("POST", "/api/v1/items", operator, body)
  end
  local who = step == 1 and operator or reviewer
  return wrk.format("POST", string.format("/api/v1/items/%s/%s", item, actions[step]), who, "{}")
end

function on_response(status, body)
  if status >= 400 then step, item = 0, nil return end
  if step == 0 then
    item = string.match(body, '"id"%s*:%s*(%d+)')
    step = 1
  elseif step < 3 then
    step = step + 1
  else
    step, item = 0, nil
  end
end

-- Feedback from the public on a unit, each with its own text (the screen refuses repeats).
local sent = 0
function request()
  sent = sent + 1
  local body = string.format('{"target_kind": "unit", "target_id": "A001", "kind": "suggestion", ' ..
                             '"content": "建议公开栏每月更新一次（第%d-%d条）"}', id or 0, sent)
  return wrk.format("POST", "/api/v1/feedback", {["Content-Type"] = "application/json"}, body)
end

-- Feedback from the public on a unit, each with its own text (the screen refuses the same text
-- to the same target for a day, so the text carries the run's start time too).
local sent, run = 0, os.time()
function request()
  sent = sent + 1
  local body = string.format('{"target_kind": "unit", "target_id": "A001", "kind": "suggestion", ' ..
                             '"content": "建议公开栏每月更新一次（%d-%d-%d）"}', run, id or 0, sent)
  return wrk.format("POST", "/api/v1/feedback", {["Content-Type"] = "application/json"}, body)
end

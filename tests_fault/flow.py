"""The fault suite's steady flow: items through the workflow and public feedback, through
both gateways in turn, tried again while a fault is on."""
from __future__ import annotations

import threading
import time

import requests


class Flow(threading.Thread):
    """Items through the workflow and public feedback, alternating gateways; a step that fails
    while a fault is on is tried again (the same step, so the client makes no duplicate)."""

    def __init__(self, gateways: list[str], tokens: dict[str, dict[str, str]], phase: str):
        super().__init__(daemon=True)
        self.gateways, self.tokens, self.phase = gateways, tokens, phase
        self.stopping = threading.Event()
        self.items: list[int] = []
        self.feedback: list[str] = []
        self.turn = 0

    def call(self, method: str, path: str, who: str | None, body: dict | None, ok=(200, 201)) -> dict | None:
        for _ in range(120):  # a minute of faults at most for one step
            if self.stopping.is_set() and who is None:
                return None
            self.turn += 1
            api = self.gateways[self.turn % len(self.gateways)]
            try:
                r = requests.request(method, api + path, json=body, timeout=15,
                                     headers=self.tokens.get(who) if who else None)
                if r.status_code in ok:
                    return r.json()
                if r.status_code == 409:  # the step happened already (an answer lost in a fault)
                    return None
            except requests.RequestException:
                pass
            time.sleep(0.5)
        return None

    def item_exists(self, title: str) -> int | None:
        found = self.call("GET", f"/api/v1/items?unit=A001&q={title}", "operator", None) or {"items": []}
        return next((i["id"] for i in found["items"] if i["title"] == title), None)

    def run(self) -> None:
        n = 0
        while not self.stopping.is_set():
            n += 1
            title = f"故障测试 {self.phase} {n}"
            draft = {"unit_code": "A001", "title": title, "body": "……", "audience": "society", "carriers": ["网站"]}
            created = None
            for _ in range(20):
                existing = self.item_exists(title)
                if existing is not None:
                    created = existing
                    break
                made = self.call("POST", "/api/v1/items", "operator", draft)
                if made is not None:
                    created = made["id"]
                    break
            if created is None:
                continue
            for who, action in (("operator", "submit"), ("reviewer", "review"), ("reviewer", "approve")):
                self.call("POST", f"/api/v1/items/{created}/{action}", who, {"reason": "同意"} if action == "approve"
                          else None)
            self.items.append(created)
            text = f"故障测试意见 {self.phase} {n}：建议公开栏按月更新"
            sent = self.call("POST", "/api/v1/feedback", None, {"target_kind": "unit", "target_id": "A001",
                                                                 "kind": "suggestion", "content": text})
            if sent is not None:
                self.feedback.append(text)

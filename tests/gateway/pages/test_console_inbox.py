"""The in-app inbox and notification settings in the console, on a running county: a unit's
operator sees the unread count in the console bar, reads a new feedback's message with its link
to the case, marks it read (the count goes down), and switches SMS off for themself."""
import uuid

import pytest
import requests

from tests.conftest import wait_for
from tests.gateway.pages.portal_fixtures import csrf_of
from tests.gateway.pages.test_console_feedback import send_feedback
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level


def test_the_inbox_counts_links_and_marks_read_and_settings_switch_a_channel(county):
    api, operator = county["api"], token("op-a001", "operator", "A001")
    _, feedback_id = send_feedback(api, f"站内消息检查 {uuid.uuid4().hex[:8]}")

    def mine():
        return [m for m in requests.get(f"{api}/api/v1/notifications", params={"unread": "true"},
                                        headers=operator).json()["items"]
                if m["link"].endswith(f"/console/feedback/{feedback_id}")]
    wait_for(mine, timeout=30, message="notify to put the feedback in the operator's inbox")
    message = mine()[0]

    inbox = requests.get(f"{api}/console/inbox", headers=operator)
    assert inbox.status_code == 200, inbox.text[:1000]
    unread = requests.get(f"{api}/api/v1/notifications", params={"unread": "true"}, headers=operator).json()["unread"]
    assert f'<span class="count" aria-label="{unread} 条未读">{unread}</span>' in inbox.text  # the bar's number
    assert f'href="/console/feedback/{feedback_id}"' in inbox.text and message["subject"] in inbox.text
    work = requests.get(f"{api}/console", headers=operator)
    assert f'aria-label="{unread} 条未读"' in work.text  # on every console page

    marked = requests.post(f"{api}/console/inbox/read", headers=operator, allow_redirects=False,
                           data={"csrf_token": csrf_of(inbox.text), "id": str(message["id"])})
    assert marked.status_code == 303 and marked.headers["Location"] == "/console/inbox?done=read"
    after = requests.get(f"{api}{marked.headers['Location']}", headers=operator)
    assert "已标为已读" in after.text and not mine()
    assert requests.get(f"{api}/api/v1/notifications", params={"unread": "true"},
                        headers=operator).json()["unread"] == unread - 1

    settings = requests.get(f"{api}/console/preferences", headers=operator)
    assert settings.status_code == 200 and 'name="ch-sms" checked' in settings.text
    saved = requests.post(f"{api}/console/preferences", headers=operator, allow_redirects=False,
                          data={"csrf_token": csrf_of(settings.text), "ch-inbox": "on", "ch-email": "on"})
    assert saved.status_code == 303, saved.text[:500]
    channels = requests.get(f"{api}/api/v1/notification-preferences", headers=operator).json()["channels"]
    assert channels["sms"] is False and channels["inbox"] is True and channels["email"] is True
    shown = requests.get(f"{api}{saved.headers['Location']}", headers=operator)
    assert "通知设置已保存" in shown.text and 'name="ch-sms">' in shown.text
    restored = requests.put(f"{api}/api/v1/notification-preferences", headers=operator,  # as other tests expect
                            json={"channels": {c: True for c in channels}})
    assert restored.status_code == 200, restored.text
    assert requests.get(f"{api}/console/inbox", headers=token("someone", "subscriber")).status_code == 403

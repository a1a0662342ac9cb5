"""mail.compose makes, from the parts a batch shares, the very bytes and envelope smtplib's
send_message makes of the whole EmailMessage, and the EmailMessage itself when it cannot."""
import io
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses

import pytest

from services.notify import mail

SUBJECT, BODY = "【党务公开】本季度党费收缴情况", "本季度党费收缴情况……\n第二行 line two\n" * 5


def as_send_message_sends(sender, recipient, subject, message_id, key, body):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, recipient, subject
    message["Message-ID"], message["X-Gongkai-Delivery"] = message_id, key
    message.set_content(body)
    with io.BytesIO() as out:
        BytesGenerator(out).flatten(message, linesep="\r\n")
        return mail.Flat(getaddresses([message["From"]])[0][1], [a for _, a in getaddresses([message["To"]])],
                         out.getvalue())


@pytest.mark.parametrize("sender, recipient, subject, message_id, key, body", [
    ("gk@example.gov.cn", "u1@example.gov.cn", SUBJECT, "<n-1.e-2@gk.example>", "ItemPublished:7:u1:email", BODY),
    ("公开办 <gk@example.gov.cn>", "first.last+tag@mail.example.gov.cn", "ascii subject", "<x@y>", "k", "short"),
    ("gk@example.gov.cn", "u" * 60 + "@example.gov.cn", SUBJECT * 4, "<" + "m" * 60 + "@gk>", "k" * 90, BODY * 20),
    ("gk@example.gov.cn", "u1@example.gov.cn", SUBJECT, "<" + "m" * 63 + "@gk>", "key:" + "k" * 54, BODY),
    ("gk@example.gov.cn", "u1@example.gov.cn", SUBJECT, "<" + "m" * 64 + "@gk>", "key:" + "k" * 55, BODY),
    ("gk@example.gov.cn", "u1@example.gov.cn", SUBJECT, "<m@gk>", "feedback:=?utf-8?q?x?=:sender", BODY),
])
def test_the_bytes_are_send_messages(sender, recipient, subject, message_id, key, body):
    made = mail.compose(sender, recipient, subject, message_id, key, body)
    assert isinstance(made, mail.Flat)
    assert made == as_send_message_sends(sender, recipient, subject, message_id, key, body)


@pytest.mark.parametrize("sender, recipient", [("gk@example.gov.cn", "张三@example.gov.cn"),
                                               ("gk@example.gov.cn", "Zhang San <u1@example.gov.cn>"),
                                               ("公开办@例子.中国", "u1@example.gov.cn")])
def test_an_address_that_is_not_plain_gets_the_message_itself(sender, recipient):
    made = mail.compose(sender, recipient, SUBJECT, "<m@gk>", "k", BODY)
    assert isinstance(made, EmailMessage) and made["To"] == recipient and made["Message-ID"] == "<m@gk>"


def test_a_line_break_in_a_header_is_refused_as_before():
    with pytest.raises(ValueError):
        mail.compose("gk@example.gov.cn", "u1@example.gov.cn", SUBJECT, "<m@gk>", "k\r\nBcc: x@y", BODY)

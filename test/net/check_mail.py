#!/usr/bin/python3
"""check_mail.py EML EXPECTDIR -- parse a stored message with Python's email
package (an independent MIME parser) and compare it with what net_test sent:
EXPECTDIR/{subject,body,from,rcpts,attnames,att0,att1,...}. Exit 0 when equal."""
import email
import email.policy
import json
import os
import sys

eml, exp = sys.argv[1], sys.argv[2]
def rd(name, mode="r"):
    with open(os.path.join(exp, name), mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
        return f.read()

raw = open(eml, "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
problems = []
def expect(cond, what):
    if not cond:
        problems.append(what)

expect(all(len(l) <= 998 for l in raw.split(b"\r\n")), "a line longer than 998 octets")
expect(all(b < 128 for b in raw), "8-bit bytes in the raw message")
expect(str(msg["Subject"]) == rd("subject"), "subject %r" % str(msg["Subject"]))
expect(msg["From"].addresses[0].addr_spec == rd("from"), "from %r" % msg["From"])
to = [a.addr_spec for a in msg["To"].addresses]
expect(to == rd("rcpts").split(), "To header %r" % to)
expect(msg["Date"] is not None and msg["Message-ID"] is not None, "Date / Message-ID missing")
expect(msg.get_content_type() == "multipart/mixed", "content type %s" % msg.get_content_type())
env = json.load(open(eml[:-4] + ".json"))
expect(env["rcpt_tos"] == rd("rcpts").split(), "envelope recipients %r" % env["rcpt_tos"])
expect(env["mail_from"] == rd("from"), "envelope sender %r" % env["mail_from"])

parts = list(msg.iter_parts())
body = parts[0]
expect(body.get_content_type() == "text/plain" and body.get_content_charset() == "utf-8",
       "body part %s" % body.get_content_type())
expect(body["Content-Transfer-Encoding"] == "quoted-printable", "body encoding")
text = body.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n")
expect(text == rd("body"), "body %r" % text)

names = rd("attnames").split()
atts = parts[1:]
expect([a.get_filename() for a in atts] == names, "attachment names %r" % [a.get_filename() for a in atts])
for i, a in enumerate(atts):
    expect(a.get_content_type() == "text/csv" and a.get_content_charset() == "utf-8",
           "attachment %d type" % i)
    expect(a.get_content_disposition() == "attachment", "attachment %d disposition" % i)
    expect(a["Content-Transfer-Encoding"] == "base64", "attachment %d encoding" % i)
    expect(a.get_payload(decode=True) == rd("att%d" % i, "rb"), "attachment %d bytes" % i)

if problems:
    print("check_mail: " + "; ".join(problems))
    sys.exit(1)
print("check_mail: OK (%d attachments)" % len(atts))

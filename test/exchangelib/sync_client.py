"""An independent EWS client (exchangelib, Debian's python3-exchangelib) against the simulator.

Usage: sync_client.py <ews url> <control url> <logon> <password> <mailbox>
Lists, reads and syncs the mailbox with impersonation, adds an item through the simulator's control
endpoint between two syncs, and prints one JSON object with what it saw.
"""
import json
import sys
import urllib.request
from datetime import timedelta

from exchangelib import (
    BASIC,
    DELEGATE,
    IMPERSONATION,
    Account,
    Configuration,
    Credentials,
    EWSDateTime,
    EWSTimeZone,
)
from exchangelib.protocol import BaseProtocol

ews_url, control_url, logon, password, mailbox = sys.argv[1:6]
BaseProtocol.TIMEOUT = 20

config = Configuration(
    service_endpoint=ews_url, credentials=Credentials(logon, password), auth_type=BASIC
)
account = Account(
    primary_smtp_address=mailbox,
    config=config,
    autodiscover=False,
    access_type=IMPERSONATION if logon.lower() != mailbox.lower() else DELEGATE,
)

out = {}
inbox = account.inbox
out["inbox"] = {"name": inbox.name, "total": inbox.total_count, "unread": inbox.unread_count}
listed = list(inbox.all().only("subject", "datetime_received").order_by("-datetime_received")[:10])
out["listed"] = [i.subject for i in listed]
full = list(inbox.all())
out["read"] = [{"subject": i.subject, "body": str(i.body), "attachments": [a.name for a in i.attachments]} for i in full]
with_attachment = next(i for i in full if i.attachments)
out["attachment"] = with_attachment.attachments[0].content.decode()

first = [(change, getattr(item, "subject", None)) for change, item in inbox.sync_items(only_fields=["subject"])]
state = inbox.item_sync_state
out["firstSync"] = first
request = urllib.request.Request(
    control_url,
    data=json.dumps({"subject": "Added between syncs"}).encode(),
    headers={"content-type": "application/json"},
    method="POST",
)
urllib.request.urlopen(request).read()
inbox.item_sync_state = state
out["secondSync"] = [
    (change, getattr(item, "subject", None)) for change, item in inbox.sync_items(only_fields=["subject"])
]

tz = EWSTimeZone("UTC")
now = EWSDateTime.now(tz)
out["calendar"] = [
    i.subject for i in account.calendar.view(start=now - timedelta(days=2), end=now + timedelta(days=10))
]
print(json.dumps(out))

"""Reads a Ficus work with ao3-api (PyPI `ao3-api`), its host changed.

Usage: python ao3_api_read.py BASE_URL WORK_ID
Prints JSON: the work's title, kudos and comment counts, its comment
threads (id, author, text) and the replies of the first thread.
"""

import json
import sys

import requests

BASE = sys.argv[1].rstrip("/")
WORK_ID = int(sys.argv[2])
AO3_HOST = "https://archiveofourown.org"

_request = requests.sessions.Session.request


def _to_ficus(self, method, url, *args, **kwargs):
    # The only change: AO3's host becomes the Ficus server.
    if isinstance(url, str) and url.startswith(AO3_HOST):
        url = BASE + url[len(AO3_HOST):]
    return _request(self, method, url, *args, **kwargs)


requests.sessions.Session.request = _to_ficus

import AO3  # noqa: E402  (after the host change)

work = AO3.Work(WORK_ID)
threads = work.get_comments()


def name(user):
    return None if user is None else user.username


first = AO3.Comment(threads[0].id) if threads else None
replies = []
if first is not None:
    for c in first.get_thread_iterator():
        if c.id != first.id:
            replies.append({"id": c.id, "author": name(c.author), "text": c.text.strip()})

print(
    json.dumps(
        {
            "title": work.title,
            "kudos": work.kudos,
            "comments": work.comments,
            "threads": [
                {"id": c.id, "author": name(c.author), "text": c.text.strip()}
                for c in threads
            ],
            "first_thread_replies": replies,
        }
    )
)

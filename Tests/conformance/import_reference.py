#!/usr/bin/env python3
"""Independent references of the importers' mappings (docs/importers.md),
written from the contract with the standard library only.

Usage: import_reference.py gharchive OUT.ndjson HOUR_FILE...
       import_reference.py slack OUT.ndjson EXPORT_FOLDER
       import_reference.py stackexchange OUT.ndjson SITE_FOLDER...
       import_reference.py discord OUT.ndjson EXPORT...  (files, folders or zips)
       import_reference.py discord-with-bots OUT.ndjson EXPORT...  (as --include-bots)
       import_reference.py mattermost[-with-bots] OUT.ndjson EXPORT...  (.jsonl, .jsonl.gz or .zip)
       import_reference.py viva-engage[-with-bots] OUT.ndjson EXPORT_FOLDER
       import_reference.py discourse[-with-bots] OUT.ndjson PATH...  (topic .json, likes .csv, folders; forum "mozilla")
Writes one event per line (sorted by ts instant, then id), the fields as
the importer writes them, so that a test can compare the two as sets.
"""
import gzip
import json
import os
import re
import sys
from datetime import datetime, timezone

def gh_mentions_exact(body):
    """Every @login whose login is 1..39 characters: the regex with a
    bounded repetition, so that a longer run gives no mention."""
    out = []
    for m in re.finditer(r"(?<![\w@/.])@([A-Za-z0-9](?:-?[A-Za-z0-9])*)(?![\w@])", body or ""):
        login = m.group(1)
        if len(login) <= 39 and login.lower() not in out:
            out.append(login.lower())
    return ["gh:" + x for x in out]


def gharchive(paths):
    events = []
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            for raw in f:
                try:
                    g = json.loads(raw)
                except ValueError:
                    continue
                repo = (g.get("repo") or {}).get("name")
                created = g.get("created_at")
                if not repo or not created:
                    continue
                t = g.get("type")
                p = g.get("payload") or {}
                actor = "gh:" + (g.get("actor") or {}).get("login", "").lower()
                e = {"id": "gh:" + str(g["id"]), "ts": created, "community": repo, "kind": "external", "actor": actor}

                def body(x):
                    return gh_mentions_exact((x or {}).get("body"))

                owner = None if isinstance(g.get("org"), dict) else "gh:" + repo.split("/")[0].lower()
                if t in ("IssuesEvent", "PullRequestEvent"):
                    if p.get("action") != "opened":
                        continue
                    item = p.get("issue" if t == "IssuesEvent" else "pull_request") or {}
                    e.update(type="post", content="%s#%s" % (repo, item["number"]), mentions=body(item))
                elif t in ("IssueCommentEvent", "PullRequestReviewCommentEvent"):
                    item = p.get("issue" if t == "IssueCommentEvent" else "pull_request") or {}
                    prefix = "gh:comment:" if t == "IssueCommentEvent" else "gh:review-comment:"
                    e.update(type="reply", content=prefix + str(p["comment"]["id"]), parent="%s#%s" % (repo, item["number"]),
                             mentions=body(p.get("comment")))
                    if (item.get("user") or {}).get("login"):
                        e["parent_actor"] = "gh:" + item["user"]["login"].lower()
                elif t == "CommitCommentEvent":
                    c = p["comment"]
                    e.update(type="reply", content="gh:commit-comment:%s" % c["id"], parent="%s@%s" % (repo, c["commit_id"]),
                             mentions=body(c))
                elif t == "PushEvent":
                    e.update(type="post", content="%s@%s" % (repo, p["head"]))
                elif t == "CreateEvent":
                    if p.get("ref_type") != "repository":
                        continue
                    e.update(type="post", content="repo:" + repo)
                elif t == "ReleaseEvent":
                    e.update(type="post", content="release:%s" % p["release"]["id"], mentions=body(p.get("release")))
                elif t == "WatchEvent":
                    e.update(type="react", parent="repo:" + repo)
                    if owner:
                        e["parent_actor"] = owner
                elif t == "ForkEvent":
                    e.update(type="share", content="repo:" + p["forkee"]["full_name"], parent="repo:" + repo)
                    if owner:
                        e["parent_actor"] = owner
                elif t == "MemberEvent":
                    if p.get("action") != "added":
                        continue
                    e.update(type="join", actor="gh:" + p["member"]["login"].lower())
                else:
                    continue
                if not e.get("mentions"):
                    e.pop("mentions", None)
                e["source"] = "gharchive"
                events.append(e)
    return events


SLACK_MENTION = re.compile(r"<@([UW][A-Za-z0-9]+)(?:\|[^>]*)?>")


def slack_ms(ts):
    seconds, _, fraction = ts.partition(".")
    nanos = int((fraction + "000000000")[:9]) if fraction else 0
    return int(seconds) * 1000 + (nanos + 500_000) // 1_000_000


def slack(paths, include_bots=False):
    root = paths[0].rstrip("/")
    workspace = os.path.basename(root)
    ids = {}
    for name in ("channels.json", "groups.json", "mpims.json", "dms.json"):
        p = os.path.join(root, name)
        if os.path.exists(p):
            for c in json.load(open(p, encoding="utf-8")):
                ids[c.get("name", c["id"])] = c["id"]
    events = []
    for channel in sorted(os.listdir(root)):
        folder = os.path.join(root, channel)
        if not os.path.isdir(folder):
            continue
        cid = ids.get(channel, channel)
        community = workspace + "/" + channel
        for day in sorted(os.listdir(folder)):
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}\.json", day):
                continue
            try:
                messages = json.load(open(os.path.join(folder, day), encoding="utf-8"))
            except ValueError:
                continue
            for m in messages:
                ms = slack_ms(m["ts"])
                ts = datetime.fromtimestamp(ms // 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
                ts += (".%03dZ" % (ms % 1000)) if ms % 1000 else "Z"
                content = "%s:%s:%s" % (workspace, cid, m["ts"])
                base = {"id": content, "ts": ts, "community": community, "kind": "internal", "source": "slack"}
                sub = m.get("subtype")
                user = m.get("user")
                if sub in (None, "thread_broadcast", "me_message", "file_share", "bot_message"):
                    if sub == "bot_message" or not user:
                        if not include_bots or not m.get("bot_id"):
                            continue
                        actor = "bot:" + m["bot_id"]
                    else:
                        actor = "slack:" + user
                    mentions = []
                    for u in SLACK_MENTION.findall(m.get("text", "")):
                        if "slack:" + u not in mentions:
                            mentions.append("slack:" + u)
                    e = dict(base, actor=actor, content=content)
                    shared = [a for a in m.get("attachments", []) if a.get("is_share") and a.get("ts")]
                    if shared:
                        a = shared[0]
                        e.update(type="share", parent="%s:%s:%s" % (workspace, a.get("channel_id", cid), a["ts"]))
                        if a.get("author_id"):
                            e["parent_actor"] = "slack:" + a["author_id"]
                    elif m.get("thread_ts") and m["thread_ts"] != m["ts"]:
                        e.update(type="reply", parent="%s:%s:%s" % (workspace, cid, m["thread_ts"]))
                        if m.get("parent_user_id"):
                            e["parent_actor"] = "slack:" + m["parent_user_id"]
                    else:
                        e["type"] = "post"
                    if mentions:
                        e["mentions"] = mentions
                    events.append(e)
                    for r in m.get("reactions", []):
                        for u in r.get("users", []):
                            events.append(dict(base, id="%s/react/%s/%s" % (content, r["name"], u), actor="slack:" + u, type="react",
                                               parent=content, parent_actor=actor))
                elif sub in ("channel_join", "channel_leave"):
                    events.append(dict(base, actor="slack:" + user, type="join" if sub == "channel_join" else "leave"))
                elif sub == "file_comment":
                    c = m.get("comment", {})
                    e = dict(base, actor="slack:" + c["user"], type="reply", content=content, parent="%s:file:%s" % (workspace, m["file"]["id"]))
                    if m["file"].get("user"):
                        e["parent_actor"] = "slack:" + m["file"]["user"]
                    mentions = []
                    for u in SLACK_MENTION.findall(c.get("comment", "")):
                        if "slack:" + u not in mentions:
                            mentions.append("slack:" + u)
                    if mentions:
                        e["mentions"] = mentions
                    events.append(e)
    return events


def stackexchange(paths):
    import xml.etree.ElementTree as ET
    events = []
    for folder in paths:
        site = os.path.basename(folder.rstrip("/"))

        def rows(name):
            p = os.path.join(folder, name)
            return [r.attrib for r in ET.parse(p).getroot().iter("row")] if os.path.exists(p) else []

        users, posts, comments, votes = rows("Users.xml"), rows("Posts.xml"), rows("Comments.xml"), rows("Votes.xml")
        person_of = {u["Id"]: ("se:acct" + u["AccountId"]) if "AccountId" in u else "se:%s:u%s" % (site, u["Id"]) for u in users}
        name_of = {u["Id"]: u.get("DisplayName") for u in users}

        def person(user, name):
            if user:
                return person_of.get(user, "se:%s:u%s" % (site, user))
            if name:
                return "se:%s:name:%s" % (site, name)
            return None

        def base(id, ts, actor, type):
            return {"id": id, "ts": ts + "Z", "community": site, "kind": "external", "actor": actor, "type": type, "source": "stackexchange"}

        for u in users:
            events.append(base("%s/join/u%s" % (site, u["Id"]), u["CreationDate"], person(u["Id"], None), "join"))
        owner = {p["Id"]: person(p.get("OwnerUserId"), p.get("OwnerDisplayName")) for p in posts}
        owner_name = {p["Id"]: name_of.get(p.get("OwnerUserId")) if p.get("OwnerUserId") else p.get("OwnerDisplayName") for p in posts}
        parent_of = {p["Id"]: p.get("ParentId") for p in posts}
        for p in posts:
            pid = "%s/p%s" % (site, p["Id"])
            if owner[p["Id"]] is None:
                continue
            if p.get("PostTypeId") == "1":
                events.append(dict(base(pid, p["CreationDate"], owner[p["Id"]], "post"), content=pid))
            elif p.get("PostTypeId") == "2":
                e = dict(base(pid, p["CreationDate"], owner[p["Id"]], "reply"), content=pid, parent="%s/p%s" % (site, p["ParentId"]))
                if owner.get(p["ParentId"]):
                    e["parent_actor"] = owner[p["ParentId"]]
                events.append(e)
        by_post = {}
        for c in comments:
            by_post.setdefault(c["PostId"], []).append(c)
        word = re.compile(r"(?<![\w@])@([\w.\-]{3,})")
        for post, cs in by_post.items():
            cs.sort(key=lambda c: (c["CreationDate"], int(c["Id"])))
            participants = []
            if owner.get(post) and owner_name.get(post):
                participants.append((owner[post], "".join(owner_name[post].lower().split())))
            for c in cs:
                actor = person(c.get("UserId"), c.get("UserDisplayName"))
                cid = "%s/c%s" % (site, c["Id"])
                mentions = []
                for w in word.findall(c.get("Text", "")):
                    w = w.lower().rstrip(".-")
                    if len(w) < 3:
                        continue
                    hits = {p for p, n in participants if n.startswith(w)}
                    if len(hits) == 1 and next(iter(hits)) not in mentions:
                        mentions.append(next(iter(hits)))
                if actor:
                    e = dict(base(cid, c["CreationDate"], actor, "reply"), content=cid, parent="%s/p%s" % (site, post))
                    if owner.get(post):
                        e["parent_actor"] = owner[post]
                    if mentions:
                        e["mentions"] = mentions
                    events.append(e)
                name = name_of.get(c.get("UserId")) if c.get("UserId") else c.get("UserDisplayName")
                if actor and name:
                    participants.append((actor, "".join(name.lower().split())))
        for v in votes:
            t = v.get("VoteTypeId")
            if t == "1":
                q = parent_of.get(v["PostId"])
                actor = owner.get(q) if q else None
            elif t == "5" and v.get("UserId"):
                actor = person(v["UserId"], None)
            else:
                continue
            if not actor:
                continue
            e = base("%s/v%s" % (site, v["Id"]), v["CreationDate"], actor, "react")
            e["parent"] = "%s/p%s" % (site, v["PostId"])
            if owner.get(v["PostId"]):
                e["parent_actor"] = owner[v["PostId"]]
            events.append(e)
    return events


def discord(paths, include_bots=False):
    """DiscordChatExporter JSON: a channel a community GUILD/CHANNEL (a
    thread's: its parent, the exporter's `category`), Default a post, Reply
    a reply to reference.messageId (a post without one), GuildMemberJoin a
    join, each reaction's user a react at the message's time."""
    import zipfile
    texts = []
    for path in sorted(paths):
        if os.path.isdir(path):
            for root, _, files in os.walk(path):
                texts += [open(os.path.join(root, f), "rb").read() for f in files if f.endswith(".json")]
        elif path.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                texts += [z.read(n) for n in z.namelist() if n.endswith(".json")]
        else:
            texts.append(open(path, "rb").read())
    events = []
    for text in texts:
        try:
            x = json.loads(text)
        except ValueError:
            continue
        if not isinstance(x, dict) or not isinstance(x.get("messages"), list):
            continue
        guild, channel = (x.get("guild") or {}).get("name"), x.get("channel") or {}
        if guild is None or channel.get("name") is None:
            continue
        name = channel.get("category") if "Thread" in (channel.get("type") or "") and channel.get("category") else channel["name"]
        community = guild + "/" + name
        for m in x["messages"]:
            author = m.get("author") or {}
            if not m.get("id") or not m.get("timestamp") or not author.get("id"):
                continue
            if author.get("isBot") and not include_bots:
                continue
            content = "discord:" + m["id"]
            base = {"ts": m["timestamp"], "community": community, "kind": "external", "source": "discord"}
            actor = "discord:" + author["id"]
            mentions = []
            for u in m.get("mentions") or []:
                if u.get("id") and "discord:" + u["id"] not in mentions:
                    mentions.append("discord:" + u["id"])
            t = m.get("type")
            if t == "GuildMemberJoin":
                events.append(dict(base, id=content, actor=actor, type="join"))
                continue
            if t not in ("Default", "Reply"):
                continue
            e = dict(base, id=content, actor=actor, content=content)
            ref = (m.get("reference") or {}).get("messageId")
            if t == "Reply" and ref:
                e.update(type="reply", parent="discord:" + ref)
            else:
                e["type"] = "post"
            if mentions:
                e["mentions"] = mentions
            events.append(e)
            for r in m.get("reactions") or []:
                emoji = (r.get("emoji") or {}).get("id") or (r.get("emoji") or {}).get("name") or ""
                for u in r.get("users") or []:
                    if not u.get("id") or (u.get("isBot") and not include_bots):
                        continue
                    events.append(dict(base, id="%s/react/%s/%s" % (content, emoji, u["id"]), actor="discord:" + u["id"],
                                       type="react", parent=content, parent_actor=actor))
    return events


def mattermost(paths, include_bots=False):
    """A Mattermost bulk export (JSON lines): a post a post, its replies
    replies, reactions reacts at their own create_at, join and leave system
    posts joins and leaves, @username mentions of the export's users; direct
    messages skipped; bots' (the `bot` lines) skipped unless include_bots."""
    import zipfile
    texts = []
    for path in sorted(paths):
        if path.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                texts += [z.read(n) for n in sorted(z.namelist()) if n.endswith(".jsonl")]
        else:
            texts.append((gzip.open if path.endswith(".gz") else open)(path, "rb").read())
    users, bots, events = set(), set(), []

    def fmt(ms):
        t = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
        return t.strftime("%Y-%m-%dT%H:%M:%S") + (".%03dZ" % (ms % 1000) if ms % 1000 else "Z")

    def mentions(text):
        out = []
        for m in re.finditer(r"(?<![A-Za-z0-9_.\-])@([A-Za-z0-9_.\-]+)", text or ""):
            name = m.group(1).lower()
            while name and name not in users and name[-1] in ".-_":
                name = name[:-1]
            if name in users and "mm:" + name not in out:
                out.append("mm:" + name)
        return out

    for text in texts:
        for raw in text.split(b"\n"):
            if not raw.strip():
                continue
            try:
                x = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(x, dict):
                continue
            t = x.get("type")
            if t in ("user", "bot"):
                name = (x.get(t) or {}).get("username")
                if name:
                    users.add(name.lower())
                    if t == "bot":
                        bots.add(name.lower())
            if t != "post":
                continue
            p = x.get("post") or {}
            if not p.get("team") or not p.get("channel"):
                continue
            community = p["team"] + "/" + p["channel"]

            def message(m, parent):
                if not m.get("user") or not isinstance(m.get("create_at"), int):
                    return None
                author = m["user"].lower()
                content = "mm:%s/%s/%d/%s" % (p["team"], p["channel"], m["create_at"], author)
                if author in bots and not include_bots:
                    return (content, author)
                base = {"id": content, "ts": fmt(m["create_at"]), "community": community, "kind": "internal",
                        "actor": "mm:" + author, "source": "mattermost"}
                kind = m.get("type") or ""
                if kind in ("system_join_channel", "system_join_team", "system_leave_channel", "system_leave_team"):
                    events.append(dict(base, type="join" if "join" in kind else "leave"))
                    return None
                if kind:
                    return None
                e = dict(base, type="reply" if parent else "post", content=content)
                if parent:
                    e.update(parent=parent[0], parent_actor="mm:" + parent[1])
                ms = mentions(m.get("message"))
                if ms:
                    e["mentions"] = ms
                events.append(e)
                for r in m.get("reactions") or []:
                    if not r.get("user") or not isinstance(r.get("create_at"), int):
                        continue
                    who = r["user"].lower()
                    if who in bots and not include_bots:
                        continue
                    events.append({"id": "%s/react/%s/%s" % (content, r.get("emoji_name", ""), who), "ts": fmt(r["create_at"]),
                                   "community": community, "kind": "internal", "actor": "mm:" + who, "type": "react",
                                   "parent": content, "parent_actor": "mm:" + author, "source": "mattermost"})
                return (content, author)

            root = message(p, None)
            if root:
                for r in p.get("replies") or []:
                    message(r, root)
    return events


def discourse(paths, forum="mozilla", include_bots=False):
    """Discourse topic JSON (post_stream.posts) and Data Explorer likes CSV:
    post 1 of a topic a post, others replies to reply_to_post_number (else
    post 1), mention links of known users, likes (action_type 1 or 2, by
    acting_user_id, else user_id) reacts at their own time; post_type other
    than 1, deleted posts and users below 1 skipped (unless include_bots)."""
    import csv
    import io
    jsons, csvs = [], []
    for path in sorted(paths):
        for root, _, files in (os.walk(path) if os.path.isdir(path) else [(os.path.dirname(path), None, [os.path.basename(path)])]):
            for f in files:
                full = os.path.join(root, f)
                if f.endswith(".json"):
                    jsons.append(open(full, "rb").read())
                elif f.endswith(".csv"):
                    csvs.append(open(full, "rb").read())
    person = lambda u: "discourse:%s:%d" % (forum, u)
    content = lambda t, n: "discourse:%s:t%d#%d" % (forum, t, n)
    posts, users, events = [], {}, []
    for text in jsons:
        try:
            x = json.loads(text)
        except ValueError:
            continue
        if not isinstance(x, dict) or not isinstance((x.get("post_stream") or {}).get("posts"), list):
            continue
        for u in (x.get("details") or {}).get("participants") or []:
            users[u["username"].lower()] = u["id"]
        for p in x["post_stream"]["posts"]:
            if None in (p.get("id"), p.get("topic_id"), p.get("post_number"), p.get("user_id"), p.get("created_at")):
                continue
            if p.get("username"):
                users[p["username"].lower()] = p["user_id"]
            posts.append(p)
    where = {}
    for p in posts:
        where[p["id"]] = (p["topic_id"], p["post_number"], p["user_id"])
        if (p.get("post_type") or 1) != 1 or p.get("deleted_at") or (p["user_id"] < 1 and not include_bots):
            continue
        c = content(p["topic_id"], p["post_number"])
        e = {"id": c, "ts": p["created_at"], "community": forum, "kind": "external", "actor": person(p["user_id"]),
             "content": c, "source": "discourse"}
        if p["post_number"] == 1:
            e["type"] = "post"
        else:
            r = p.get("reply_to_post_number")
            e.update(type="reply", parent=content(p["topic_id"], r if r and r >= 1 and r != p["post_number"] else 1))
        names = []
        for m in re.finditer(r'class="mention" href="/u/([^"/]*)', p.get("cooked") or ""):
            if m.group(1) and m.group(1).lower() not in names:
                names.append(m.group(1).lower())
        mentions = [person(users[n]) for n in names if n in users]
        if mentions:
            e["mentions"] = mentions
        events.append(e)

    def when(t):
        if re.fullmatch(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d{1,9})?([Zz]|[+-]\d\d:\d\d)", t):
            return None, t
        t = t[:-4] if t.endswith(" UTC") else t
        d = datetime.fromisoformat(t.replace(" ", "T") + "+00:00")
        ms = d.microsecond // 1000
        return d, d.strftime("%Y-%m-%dT%H:%M:%S") + (".%03dZ" % ms if ms else "Z")

    for text in csvs:
        for row in csv.DictReader(io.StringIO(text.decode("utf-8"))):
            if row.get("action_type") not in ("1", "2"):
                continue
            liker = row.get("acting_user_id") or (row.get("user_id") if row["action_type"] == "1" else None)
            try:
                target, who, (_, ts) = int(row["target_post_id"]), int(liker), when(row["created_at"])
            except (TypeError, ValueError):
                continue
            if target not in where or (who < 1 and not include_bots):
                continue
            t, n, author = where[target]
            c = content(t, n)
            events.append({"id": c + "/like/%d" % who, "ts": ts, "community": forum, "kind": "external", "actor": person(who),
                           "type": "react", "parent": c, "parent_actor": person(author), "source": "discourse"})
    # The same event twice (a like's rows of type 1 and 2, a post in two files) is one.
    unique = {}
    for e in events:
        unique.setdefault(json.dumps(e, sort_keys=True), e)
    return list(unique.values())


def viva_engage(paths, include_bots=False):
    """A Viva Engage network data export folder: Messages.csv (and Groups.csv
    for names). A group a community NETWORK/<name> (a name two groups share
    takes " (<id>)"; no group: All Company); a message with replied_to_id a
    reply to it, else with a thread_id not its own a reply to the thread,
    else a post; [[user:ID]] mentions; private conversations, deleted
    messages and senders that are no user (unless include_bots) skipped."""
    import csv
    folder = paths[0].rstrip("/")
    network = os.path.basename(folder)
    names = {}
    gpath = os.path.join(folder, "Groups.csv")
    if os.path.exists(gpath):
        for g in csv.DictReader(open(gpath, newline="", encoding="utf-8")):
            if g.get("id") and g.get("name"):
                names[g["id"]] = g["name"]
    rows = list(csv.DictReader(open(os.path.join(folder, "Messages.csv"), newline="", encoding="utf-8")))
    for m in rows:
        if m.get("group_id") and m["group_id"] not in names and m.get("group_name"):
            names[m["group_id"]] = m["group_name"]
    uses = {}
    for n in names.values():
        uses[n] = uses.get(n, 0) + 1

    def community(g):
        if not g:
            return network + "/All Company"
        if g not in names:
            return network + "/" + g
        return network + "/" + (names[g] if uses[names[g]] == 1 else "%s (%s)" % (names[g], g))

    def when(t):
        if re.fullmatch(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d{1,9})?([Zz]|[+-]\d\d:\d\d)", t or ""):
            return t
        t = (t or "")[:-4] if (t or "").endswith(" UTC") else (t or "")
        try:
            d = datetime.fromisoformat(t.replace(" ", "T") + "+00:00")
        except ValueError:
            return None
        ms = d.microsecond // 1000
        return d.strftime("%Y-%m-%dT%H:%M:%S") + (".%03dZ" % ms if ms else "Z")

    events = []
    for m in rows:
        ts = when(m.get("created_at"))
        if not m.get("id") or not m.get("sender_id") or not ts:
            continue
        if m.get("in_private_conversation") in ("true", "TRUE") or m.get("deleted_at"):
            continue
        if m.get("sender_type") and m["sender_type"] != "user" and not include_bots:
            continue
        c = "viva:msg:" + m["id"]
        parent = m.get("replied_to_id") or (m["thread_id"] if m.get("thread_id") and m["thread_id"] != m["id"] else None)
        e = {"id": c, "ts": ts, "community": community(m.get("group_id")), "kind": "internal", "actor": "viva:" + m["sender_id"],
             "type": "reply" if parent else "post", "content": c, "source": "viva-engage"}
        if parent:
            e["parent"] = "viva:msg:" + parent
        mentions = []
        for x in re.findall(r"\[\[user:(\d+)\]\]", m.get("body") or ""):
            if "viva:" + x not in mentions:
                mentions.append("viva:" + x)
        if mentions:
            e["mentions"] = mentions
        events.append(e)
    return events


def instant(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(timezone.utc)


def main():
    kind, out, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    events = {"gharchive": gharchive, "slack": slack, "stackexchange": stackexchange, "discord": discord,
              "discord-with-bots": lambda p: discord(p, include_bots=True), "mattermost": mattermost,
              "mattermost-with-bots": lambda p: mattermost(p, include_bots=True), "discourse": discourse,
              "discourse-with-bots": lambda p: discourse(p, include_bots=True), "viva-engage": viva_engage,
              "viva-engage-with-bots": lambda p: viva_engage(p, include_bots=True)}[kind](paths)
    events.sort(key=lambda e: (instant(e["ts"]), e["id"].encode()))
    with open(out, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()

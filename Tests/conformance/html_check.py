#!/usr/bin/env python3
"""Checks that an HTML file is well formed for the dashboard's needs.

Usage: html_check.py FILE
Standard library only (html.parser). Fails on: no <!DOCTYPE html>, an end
tag that closes another element than the one open, an element left open, a
second <html>, <head> or <body>, an attribute that fetches (src, href,
srcset, xlink:href, url( in a style), or a <script> that is not the JSON
data island. Prints "ok: N elements".
"""
import html.parser
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Check(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.count, self.seen, self.doctype = [], [], 0, {}, False

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        self.count += 1
        if tag in ("html", "head", "body"):
            self.seen[tag] = self.seen.get(tag, 0) + 1
            if self.seen[tag] > 1:
                self.errors.append("a second <%s> at %s" % (tag, self.getpos()))
        for name, value in attrs:
            if name in ("src", "href", "srcset", "xlink:href", "action", "formaction") or "url(" in (value or ""):
                self.errors.append("<%s %s=...> fetches at %s" % (tag, name, self.getpos()))
        if tag == "script" and dict(attrs).get("type") != "application/json":
            self.errors.append("a script that runs at %s" % (self.getpos(),))
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.count += 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") or "url(" in (value or ""):
                self.errors.append("<%s %s=...> fetches at %s" % (tag, name, self.getpos()))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("</%s> at %s closes %s" % (tag, self.getpos(), self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()


def main():
    c = Check()
    c.feed(open(sys.argv[1], encoding="utf-8").read())
    c.close()
    if not c.doctype:
        c.errors.append("no <!DOCTYPE html>")
    for tag, pos in c.stack:
        c.errors.append("<%s> at %s is never closed" % (tag, pos))
    if c.errors:
        print("\n".join(c.errors[:20]))
        sys.exit(1)
    print("ok: %d elements" % c.count)


if __name__ == "__main__":
    main()

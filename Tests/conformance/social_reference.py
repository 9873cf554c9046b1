#!/usr/bin/env python3
"""Independent references for the social-capital, bridging and community-links
reports (../shared/spec/metrics.md): the graph measures with NetworkX, the rest
with plain sets.

Usage: social_reference.py LOGS OUT_DIR [--periods day,week,month] [--tz UTC] [--as-of RFC3339] [--identities CSV]
Writes OUT_DIR/{social_capital,bridging,community_links}_<daily|weekly|monthly>.csv.
"""
import csv
import os
import sys

import networkx as nx

sys.path.insert(0, os.path.dirname(__file__))
from engagement_reference import ADJ, first_instant, fmt, guard, local_date, next_start, period_start, reference_run  # noqa: E402
from events_reference import BOTS, CREATES, NEEDS_PARENT, authorship, humans, parent_author  # noqa: E402

KIND_ORDER = {"external": 0, "internal": 1}


def interactions(e, authors):
    out = []
    if e["type"] in NEEDS_PARENT:
        a = parent_author(e, authors)
        if a is not None and a != e["actor"] and a not in BOTS:
            out.append((e["actor"], a))
    for m in set(e["mentions"]):
        if m != e["actor"]:
            out.append((e["actor"], m))
    return out


def graph_row(pairs):
    D = nx.DiGraph()
    for u, v in pairs:
        if D.has_edge(u, v):
            D[u][v]["weight"] += 1
        else:
            D.add_edge(u, v, weight=1)
    W = nx.Graph()
    W.add_nodes_from(D)
    for u, v, d in D.edges(data=True):
        if W.has_edge(u, v):
            W[u][v]["weight"] += d["weight"]
        else:
            W.add_edge(u, v, weight=d["weight"])
    n = D.number_of_nodes()
    m = D.number_of_edges()
    reciprocity = nx.overall_reciprocity(D)
    clustering = nx.average_clustering(W)
    constraint = nx.constraint(W, nodes=list(W), weight="weight")
    effective = nx.effective_size(W, nodes=list(W), weight="weight")
    comps = list(nx.weakly_connected_components(D))
    mean_c = sum(constraint.values()) / n
    return [n, m, len(pairs), m / (n * (n - 1)) if n > 1 else None, reciprocity, nx.transitivity(W), clustering,
            len(comps), max(len(c) for c in comps) / n, mean_c, sum(effective.values()) / n,
            (reciprocity + clustering) / 2, max(0.0, 1 - mean_c)]


def main():
    a, tz, events, _, as_of = reference_run()
    authors = authorship(events)  # bots' content has its author too
    events = humans(events)
    for family in a.periods.split(","):
        groups = {}
        for e in events:
            p = period_start(local_date(e["ts"], tz), family)
            groups.setdefault(p, {}).setdefault((e["kind"], e["community"]), []).append(e)

        def head(p):
            end = first_instant(next_start(p, family), tz)
            return [p.isoformat(), fmt(end <= as_of if as_of is not None else False)]

        def order(c):
            return (KIND_ORDER[c[0]], c[1])

        social, bridging, links = [], [], []
        for p in sorted(groups):
            comms = groups[p]
            for c in sorted(comms, key=order):
                pairs = [x for e in comms[c] for x in interactions(e, authors)]
                if pairs:
                    social.append(head(p) + [c[0], guard(c[1].decode())] + [fmt(v) for v in graph_row(pairs)])
            active = {"internal": set(), "external": set()}
            creators_by_kind = {"internal": set(), "external": set()}
            creators = {}
            shares = {}
            cross = i2e = e2i = 0
            for c, es in comms.items():
                creators[c] = {e["actor"] for e in es if e["type"] in CREATES}
                active[c[0]] |= {e["actor"] for e in es}
                creators_by_kind[c[0]] |= creators[c]
                for e in es:
                    if e["type"] == "share" and e["parent"] in authors:
                        src = authors[e["parent"]][1]
                        if src != c:
                            cross += 1
                            i2e += src[0] == "internal" and c[0] == "external"
                            e2i += src[0] == "external" and c[0] == "internal"
                            shares[(src, c)] = shares.get((src, c), 0) + 1
            ic, ec = creators_by_kind["internal"], creators_by_kind["external"]
            spanners = len(ic & ec)
            bridging.append(head(p) + [fmt(v) for v in [
                len(active["internal"]), len(active["external"]), len(active["internal"] & active["external"]),
                len(ic), len(ec), spanners, spanners / len(ic) if ic else None, cross, i2e, e2i]])
            names = sorted(comms, key=order)
            for x in range(len(names)):
                for y in range(x + 1, len(names)):
                    A, B = names[x], names[y]
                    shared = len(creators[A] & creators[B])
                    ab, ba = shares.get((A, B), 0), shares.get((B, A), 0)
                    if shared or ab or ba:
                        union = len(creators[A] | creators[B])
                        links.append(head(p) + [A[0], guard(A[1].decode()), B[0], guard(B[1].decode())] +
                                     [fmt(v) for v in [shared, shared / union if union else None, ab, ba]])
        tables = {
            "social_capital": (["period_start", "complete", "kind", "community", "nodes", "edges", "interactions", "density",
                                "reciprocity", "transitivity", "avg_clustering", "components", "largest_component_share",
                                "mean_constraint", "mean_effective_size", "bonding_index", "bridging_index"], social),
            "bridging": (["period_start", "complete", "internal_active", "external_active", "both_active", "internal_creators",
                          "external_creators", "boundary_spanners", "advocacy_rate", "cross_community_shares",
                          "internal_to_external_shares", "external_to_internal_shares"], bridging),
            "community_links": (["period_start", "complete", "kind_a", "community_a", "kind_b", "community_b",
                                 "shared_creators", "jaccard", "shares_a_to_b", "shares_b_to_a"], links),
        }
        for name, (columns, rows) in tables.items():
            with open(os.path.join(a.out, "%s_%s.csv" % (name, ADJ[family])), "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(columns)
                w.writerows(rows)


if __name__ == "__main__":
    main()

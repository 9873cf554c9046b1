#!/usr/bin/env python3
"""Times the social-capital graph measures in NetworkX (and igraph, where it is
installed) on the graphs `graph-bench` exported, checks that NetworkX agrees
with Silta's values, and prints the ratios.

Usage: graphs-vs-peers.py GRAPH_BENCH_JSON GRAPH_DIR [RESULTS_JSON]
"""
import json
import os
import sys
import time

import networkx as nx

try:
    import igraph
except ImportError:
    igraph = None


def load(path):
    D = nx.DiGraph()
    for line in open(path):
        u, v, w = line.split("\t")
        D.add_edge(int(u), int(v), weight=int(w))
    W = nx.Graph()
    W.add_nodes_from(D)
    for u, v, d in D.edges(data=True):
        if W.has_edge(u, v):
            W[u][v]["weight"] += d["weight"]
        else:
            W.add_edge(u, v, weight=d["weight"])
    return D, W


def networkx_measures(D, W):
    n = D.number_of_nodes()
    comps = list(nx.weakly_connected_components(D))
    c = nx.constraint(W, nodes=list(W), weight="weight")
    e = nx.effective_size(W, nodes=list(W), weight="weight")
    return {
        "density": nx.density(D), "reciprocity": nx.overall_reciprocity(D), "transitivity": nx.transitivity(W),
        "avg_clustering": nx.average_clustering(W), "components": len(comps), "largest": max(map(len, comps)) / n,
        "mean_constraint": sum(c.values()) / n, "mean_effective_size": sum(e.values()) / n,
    }


def igraph_measures(path):
    edges, weights = [], []
    for line in open(path):
        u, v, w = line.split("\t")
        edges.append((int(u), int(v)))
        weights.append(int(w))
    G = igraph.Graph(edges=edges, directed=True)
    G.es["weight"] = weights
    U = G.as_undirected(mode="collapse", combine_edges="sum")
    c = U.constraint(weights="weight")
    return {
        "density": G.density(), "reciprocity": G.reciprocity(), "transitivity": U.transitivity_undirected(),
        "avg_clustering": U.transitivity_avglocal_undirected(mode="zero"),
        "components": len(G.connected_components(mode="weak")), "mean_constraint": sum(c) / len(c),
    }


def main():
    bench = json.load(open(sys.argv[1]))
    folder = sys.argv[2]
    silta = bench["silta_seconds"]
    graphs = [(g, load(os.path.join(folder, g["file"]))) for g in bench["graphs"]]
    start = time.perf_counter()
    results = [networkx_measures(D, W) for _, (D, W) in graphs]
    nx_seconds = time.perf_counter() - start
    for (g, _), r in zip(graphs, results):
        for key in ("mean_constraint", "mean_effective_size", "transitivity", "avg_clustering", "reciprocity"):
            if abs(r[key] - g[key]) > 1e-6:
                print("MISMATCH %s %s: networkx %r, silta %r" % (g["file"], key, r[key], g[key]))
                sys.exit(1)
    ig_seconds = None
    if igraph is not None:
        start = time.perf_counter()
        for g, _ in graphs:
            igraph_measures(os.path.join(folder, g["file"]))
        ig_seconds = time.perf_counter() - start
    nodes = sum(g["nodes"] for g, _ in graphs)
    edges = sum(g["edges"] for g, _ in graphs)
    print("graphs of the week of %s: %d graphs, %d nodes, %d edges (NetworkX agrees with Silta within 1e-6)" % (
        bench["week"], len(graphs), nodes, edges))
    print("%-10s %10s %10s" % ("", "seconds", "÷ Silta"))
    print("%-10s %10.4f %10s" % ("Silta", silta, "1"))
    print("%-10s %10.4f %10.0f" % ("NetworkX", nx_seconds, nx_seconds / silta))
    if ig_seconds is None:
        print("igraph     missing (pip install igraph)")
    else:
        print("%-10s %10.4f %10.1f   (igraph has no effective size: it computes less)" % ("igraph", ig_seconds, ig_seconds / silta))
    if len(sys.argv) > 3:
        json.dump({"week": bench["week"], "graphs": len(graphs), "nodes": nodes, "edges": edges, "silta_seconds": silta,
                   "networkx_seconds": nx_seconds, "igraph_seconds": ig_seconds}, open(sys.argv[3], "w"), indent=1)


if __name__ == "__main__":
    main()

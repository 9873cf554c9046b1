#!/usr/bin/env python3
"""Times the social-capital graph measures in NetworkX (and igraph, where it is
installed) on the graphs `graph-bench` exported, checks that NetworkX agrees
with Silta's values, and prints the ratios. Every side times the measures
alone, on graphs built before its clock starts; Silta and igraph take the
best of the same number of rounds (graph-bench's --repeat), NetworkX one
round (it takes minutes).

Usage: graphs-vs-peers.py GRAPH_BENCH_JSON GRAPH_DIR [RESULTS_JSON] [--budget SECONDS]

Each peer runs in its own process with a time budget (default 900 s); a peer
that does not finish is reported as taking longer than the budget, which
still gives a lower bound for its ratio.
"""
import json
import multiprocessing
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


def igraph_load(path):
    """The directed graph and its undirected, summed-weight version, built before any clock starts."""
    edges, weights = [], []
    for line in open(path):
        u, v, w = line.split("\t")
        edges.append((int(u), int(v)))
        weights.append(int(w))
    G = igraph.Graph(edges=edges, directed=True)
    G.es["weight"] = weights
    U = G.as_undirected(mode="collapse", combine_edges="sum")
    return G, U


def igraph_measures(G, U):
    c = U.constraint(weights="weight")
    return {
        "density": G.density(), "reciprocity": G.reciprocity(), "transitivity": U.transitivity_undirected(),
        "avg_clustering": U.transitivity_avglocal_undirected(mode="zero"),
        "components": len(G.connected_components(mode="weak")), "mean_constraint": sum(c) / len(c),
    }


def run_networkx(folder, bench, queue):
    graphs = [(g, load(os.path.join(folder, g["file"]))) for g in bench["graphs"]]
    start = time.perf_counter()
    results = [networkx_measures(D, W) for _, (D, W) in graphs]
    seconds = time.perf_counter() - start
    mismatches = []
    for (g, _), r in zip(graphs, results):
        for key in ("mean_constraint", "mean_effective_size", "transitivity", "avg_clustering", "reciprocity"):
            if abs(r[key] - g[key]) > 1e-6:
                mismatches.append("%s %s: networkx %r, silta %r" % (g["file"], key, r[key], g[key]))
    queue.put((seconds, mismatches))


def run_igraph(folder, bench, queue):
    """The measures alone, best of as many rounds as Silta's (graph building left out, as Silta's is)."""
    graphs = [igraph_load(os.path.join(folder, g["file"])) for g in bench["graphs"]]
    best = float("inf")
    for _ in range(bench.get("repeat", 5)):
        start = time.perf_counter()
        for G, U in graphs:
            igraph_measures(G, U)
        best = min(best, time.perf_counter() - start)
    queue.put((best, []))


def timed(target, folder, bench, budget):
    """(seconds, mismatches), or (None, []) when the budget ran out."""
    queue = multiprocessing.Queue()
    p = multiprocessing.Process(target=target, args=(folder, bench, queue))
    p.start()
    p.join(budget)
    if p.is_alive():
        p.terminate()
        p.join()
        return None, []
    return queue.get()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    budget = 900.0
    if "--budget" in sys.argv:
        budget = float(sys.argv[sys.argv.index("--budget") + 1])
        args.remove(sys.argv[sys.argv.index("--budget") + 1])
    bench = json.load(open(args[0]))
    folder = args[1]
    silta = bench["silta_seconds"]
    nodes = sum(g["nodes"] for g in bench["graphs"])
    edges = sum(g["edges"] for g in bench["graphs"])
    nx_seconds, mismatches = timed(run_networkx, folder, bench, budget)
    for m in mismatches:
        print("MISMATCH " + m)
    if mismatches:
        sys.exit(1)
    ig_seconds = timed(run_igraph, folder, bench, budget)[0] if igraph is not None else None
    print("%d graphs of the week of %s: %d nodes, %d edges%s" % (
        len(bench["graphs"]), bench["week"], nodes, edges,
        " (NetworkX agrees with Silta within 1e-6)" if nx_seconds is not None else ""))
    print("%-10s %12s %12s" % ("", "seconds", "÷ Silta"))
    print("%-10s %12.4f %12s   (best of %d; building the graphs, not counted: %.4f s)" % (
        "Silta", silta, "1", bench.get("repeat", 1), bench.get("silta_build_seconds", 0)))
    if nx_seconds is None:
        print("%-10s %12s %12s" % ("NetworkX", "> %.0f" % budget, "> %.0f" % (budget / silta)))
    else:
        print("%-10s %12.4f %12.0f" % ("NetworkX", nx_seconds, nx_seconds / silta))
    if igraph is None:
        print("igraph     missing (pip install igraph)")
    elif ig_seconds is None:
        print("%-10s %12s %12s" % ("igraph", "> %.0f" % budget, "> %.0f" % (budget / silta)))
    else:
        print("%-10s %12.4f %12.1f   (without effective size, which igraph lacks)" % ("igraph", ig_seconds, ig_seconds / silta))
    if len(args) > 2:
        json.dump({"week": bench["week"], "graphs": len(bench["graphs"]), "nodes": nodes, "edges": edges,
                   "silta_seconds": silta, "silta_build_seconds": bench.get("silta_build_seconds"), "networkx_seconds": nx_seconds, "igraph_seconds": ig_seconds,
                   "budget_seconds": budget, "igraph_installed": igraph is not None}, open(args[2], "w"), indent=1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Parses a Prometheus textfile with the reference parser (prometheus_client)
and prints its samples as JSON: {"name{label=value,...}": value}.

Exit 3 when prometheus_client is missing (`.ci/run` installs it), 1 when the
file does not parse.
"""
import json
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("prometheus_client is missing: python3 -m pip install prometheus-client", file=sys.stderr)
    sys.exit(3)

text = open(sys.argv[1], encoding="utf-8").read()
samples = {}
types = {}
try:
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            samples[s.name + ("{" + labels + "}" if labels else "")] = s.value
except Exception as e:  # the parser raises ValueError and friends
    print(f"does not parse: {e}", file=sys.stderr)
    sys.exit(1)
print(json.dumps({"samples": samples, "types": types}, sort_keys=True))

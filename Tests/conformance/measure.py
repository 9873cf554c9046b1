#!/usr/bin/env python3
"""Runs a command and prints its exit status and peak RSS in KB: "STATUS KB".

wait4(2) from a small process: a child forked from a large test process
would count the parent's pages in its own peak until it execs.
Usage: measure.py COMMAND [ARGUMENTS...]
"""
import os
import subprocess
import sys

p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when the object files of a static library depend on each other in a circle.

Reads the archive with nm: object A depends on object B when A leaves undefined a symbol that B
defines. Every strongly connected group of two or more objects is a circle; it is printed with
the symbols that make each arrow. Usage:

  check-layers.py [--nm NM] [--allow-circles] LIBRARY.a...

With --allow-circles the circles are printed and the check passes (for a library whose split is
still under way); without it any circle fails the test.
"""
import argparse
import collections
import os
import subprocess
import sys


def read_archive(nm, archive):
    """Returns (defined, undefined): object name -> set of symbols."""
    out = subprocess.run([nm, '-A', '-P', archive], check=True, capture_output=True,
                         text=True).stdout
    defined = collections.defaultdict(set)
    undefined = collections.defaultdict(set)
    for line in out.splitlines():
        # "archive.a[member.o]: symbol T value size" in POSIX format.
        name, _, rest = line.partition(': ')
        fields = rest.split()
        if len(fields) < 2:
            continue
        member = name[name.find('[') + 1:-1] if '[' in name else name
        member = os.path.basename(member)
        symbol, kind = fields[0], fields[1]
        if kind == 'U':
            undefined[member].add(symbol)
        elif kind.isupper() or kind in ('u', 'v', 'w'):
            # Global (upper case) and unique/weak symbols can satisfy another object; local
            # symbols (lower case) cannot.
            if kind not in ('W', 'V', 'w', 'v'):
                defined[member].add(symbol)
        else:
            defined.setdefault(member, set())
    return defined, undefined


def graph(defined, undefined):
    owner = {}
    for member, symbols in defined.items():
        for s in symbols:
            owner.setdefault(s, member)
    edges = collections.defaultdict(dict)
    for member, symbols in undefined.items():
        for s in sorted(symbols):
            target = owner.get(s)
            if target is not None and target != member:
                edges[member].setdefault(target, []).append(s)
    return edges


def strongly_connected(nodes, edges):
    """Tarjan's algorithm, iterative."""
    index = {}
    low = {}
    on_stack = set()
    stack = []
    result = []
    counter = [0]

    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    result.append(sorted(group))
    return result


def check(nm, archive):
    defined, undefined = read_archive(nm, archive)
    nodes = sorted(set(defined) | set(undefined))
    edges = graph(defined, undefined)
    circles = strongly_connected(nodes, edges)
    name = os.path.basename(archive)
    if not circles:
        print(f'ok: {name}: {len(nodes)} objects, no circle')
        return 0
    for group in circles:
        print(f'CIRCLE in {name} among {len(group)} objects: {", ".join(group)}')
        members = set(group)
        for a in group:
            for b, symbols in sorted(edges.get(a, {}).items()):
                if b in members:
                    shown = ', '.join(symbols[:4]) + (' …' if len(symbols) > 4 else '')
                    print(f'  {a} -> {b}: {shown}')
    return len(circles)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--nm', default='nm')
    parser.add_argument('--allow-circles', action='store_true')
    parser.add_argument('archives', nargs='+')
    args = parser.parse_args()
    failures = 0
    for archive in args.archives:
        failures += check(args.nm, archive)
    if failures and args.allow_circles:
        print('(circles allowed for these libraries: reported, not failed)')
        return 0
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

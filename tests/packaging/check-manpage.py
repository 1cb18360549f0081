#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The man page cannot drift from --help: every command `zonelens --help` lists has a `.SS` section
in packaging/zonelens.8, and every option its `zonelens COMMAND --help` lists appears in that
section (the global --help and --version in OPTIONS), and the page renders without a warning
(man --warnings). With --completion FILE, the same commands and options must be in the bash
completion too.

  check-manpage.py ZONELENS MANPAGE [--completion FILE]
"""
import re
import subprocess
import sys


def help_of(zl, *args):
    p = subprocess.run([zl, *args, "--help"], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        sys.exit(f"{zl} {' '.join(args)} --help exited {p.returncode}: {p.stderr}")
    return p.stdout


def commands(zl):
    out = help_of(zl)
    block = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [ln.split()[0] for ln in block.splitlines() if ln.strip()]


def options(text):
    """Long and short options of an `options:` block (Boost.Program_options layout)."""
    block = text.split("options:\n", 1)[1]
    opts = set()
    for ln in block.splitlines():
        m = re.match(r"\s{2}(-\w)?(?: \[ )?(--[\w-]+)?", ln)
        if m and (m.group(1) or m.group(2)):
            opts.update(o for o in m.groups() if o)
    return opts


def man_sections(path):
    """{section title: text} with roff's \\- as -; .SS titles are the commands."""
    secs, cur = {}, None
    for ln in open(path, encoding="utf-8"):
        ln = ln.rstrip("\n").replace("\\-", "-")
        m = re.match(r"\.S[HS] (.*)", ln)
        if m:
            cur = m.group(1).strip('"')
            secs[cur] = ""
        elif cur:
            secs[cur] += ln + "\n"
    return secs


def main():
    zl, man = sys.argv[1], sys.argv[2]
    completion = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--completion" else None
    secs = man_sections(man)
    comp = open(completion, encoding="utf-8").read() if completion else None
    missing = []
    cmds = commands(zl)
    if len(cmds) < 5:
        missing.append(f"zonelens --help lists only {cmds}: the parser of this test is broken")
    for c in cmds:
        if c not in secs:
            missing.append(f"command {c}: no '.SS {c}' section in {man}")
            continue
        opts = options(help_of(zl, c)) - {"-h", "--help"}
        if not opts and c != "show":
            missing.append(f"zonelens {c} --help: no options parsed: the parser of this test is broken")
        for o in sorted(opts):
            if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", secs[c]):
                missing.append(f"{c} {o}: in 'zonelens {c} --help' but not in its section of {man}")
            if comp is not None and not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", comp):
                missing.append(f"{c} {o}: not in the bash completion {completion}")
        if comp is not None and not re.search(r"(?<![\w-])" + re.escape(c) + r"(?![\w-])", comp):
            missing.append(f"command {c}: not in the bash completion {completion}")
    for o in ("--help", "--version"):
        if o not in secs.get("OPTIONS", ""):
            missing.append(f"global {o}: not in the OPTIONS section of {man}")
    for s in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"):
        if s not in secs:
            missing.append(f"no {s} section in {man}")
    # the page renders without a groff or man warning (man-db's --warnings)
    r = subprocess.run(["man", "--warnings", "-l", "-Tutf8", "-Z", man], capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "MANWIDTH": "80"})
    if r.returncode != 0 or r.stderr.strip():
        missing.append(f"man --warnings -l {man}: exit {r.returncode}: {r.stderr.strip()}")
    for m in missing:
        print(m)
    print(f"check-manpage: {len(cmds)} commands, {'FAIL' if missing else 'ok'}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

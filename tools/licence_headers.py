#!/usr/bin/env python3
# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The licence header of every source file, as ament_copyright wants one: a copyright line and the
licence (Apache-2.0, as the three package.xml files declare), as two comment lines at the top (after
a ``#!`` line)::

    # Copyright 2026 degram_ros contributors
    # SPDX-License-Identifier: Apache-2.0

    python tools/licence_headers.py --check            # list the files without it; exit 1 if any
    python tools/licence_headers.py --fix [PATH ...]   # add it (to PATHs only, when given)

Files: the Python sources (packages, tests, launch files, setup.py, tools) and CMakeLists.txt,
tracked or new (not ignored) in git; tools/underlay (copies of other projects' interfaces) is left
as it is.  Re-running --fix changes nothing.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ('# Copyright 2026 degram_ros contributors', '# SPDX-License-Identifier: Apache-2.0')
LICENCE = 'Apache-2.0'
PACKAGES = ('degram', 'degram_msgs', 'degram_ros')
SKIP = ('tools/underlay/',)
COPYRIGHT_RE = re.compile(r'^#\s*Copyright\b')


def source_files() -> list[Path]:
    """The files that need the header, relative to the repository."""
    listed = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    return sorted(Path(p) for p in set(listed)
                  if (p.endswith('.py') or Path(p).name == 'CMakeLists.txt')
                  and p.split('/')[0] in PACKAGES + ('tools',) and not p.startswith(SKIP)
                  and (ROOT / p).is_file())


def has_header(text: str) -> bool:
    """Both lines among the first comment lines (after a ``#!`` line)."""
    head = [line.strip() for line in text.splitlines()[:4]]
    return any(COPYRIGHT_RE.match(line) for line in head) and f'# SPDX-License-Identifier: {LICENCE}' in head


def with_header(text: str) -> str:
    if has_header(text):
        return text
    lines = text.splitlines(keepends=True)
    keep = 1 if lines and lines[0].startswith('#!') else 0
    return ''.join(lines[:keep]) + ''.join(line + '\n' for line in HEADER) + ''.join(lines[keep:])


def package_licences() -> list[str]:
    """Problems with the packages' declared licence (package.xml)."""
    problems = []
    for package in PACKAGES:
        xml = (ROOT / package / 'package.xml').read_text()
        found = re.findall(r'<license>([^<]+)</license>', xml)
        if found != [LICENCE]:
            problems.append(f'{package}/package.xml: <license> {found}, expected [{LICENCE!r}]')
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--check', action='store_true', help='list the files without the header (default)')
    mode.add_argument('--fix', action='store_true', help='add the header where it is missing')
    parser.add_argument('paths', nargs='*', help='with --fix: only these files (relative to the repository)')
    args = parser.parse_args(argv)
    files = source_files()
    if args.paths:
        wanted = {Path(p) for p in args.paths}
        files = [f for f in files if f in wanted]
    missing = [f for f in files if not has_header((ROOT / f).read_text())]
    if args.fix:
        for f in missing:
            path = ROOT / f
            path.write_text(with_header(path.read_text()))
        print(f'added the header to {len(missing)} of {len(files)} files')
        return 0
    problems = package_licences() + [f'{f}: no licence header' for f in missing]
    for line in problems:
        print(line)
    print(f'{len(files) - len(missing)} of {len(files)} files have the header', file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

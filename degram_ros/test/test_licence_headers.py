# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Every source file carries the licence header ament_copyright looks for, and the packages declare
the licence (``tools/licence_headers.py --check``; ``--fix`` adds what is missing)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / 'tools' / 'licence_headers.py'


def test_every_source_file_has_the_licence_header():
    proc = subprocess.run([sys.executable, str(SCRIPT), '--check'], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, f'{proc.stdout}{proc.stderr}run: python tools/licence_headers.py --fix'


def test_fix_adds_the_header_once_after_a_shebang():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from licence_headers import HEADER, has_header, with_header
    finally:
        sys.path.remove(str(SCRIPT.parent))
    script = '#!/usr/bin/env python3\n"""Doc."""\nx = 1\n'
    fixed = with_header(script)
    assert fixed.splitlines()[:3] == ['#!/usr/bin/env python3', *HEADER]
    assert has_header(fixed) and with_header(fixed) == fixed and not has_header(script)
    assert with_header('x = 1\n').splitlines() == [*HEADER, 'x = 1']

# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The machine a benchmark runs on: its description, its devices and the load of other processes."""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
import time

import numpy as np
import torch

# environment variables that change CPU timings, recorded with the results
_THREADING_VARIABLES = ('OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'GOMP_SPINCOUNT', 'KMP_BLOCKTIME', 'MKL_NUM_THREADS',
                        'OMP_PROC_BIND')
# optional libraries whose version is recorded: key → import name
_OPTIONAL_LIBRARIES = (('onnxruntime', 'onnxruntime'), ('nnaudio', 'nnAudio'), ('matplotlib', 'matplotlib'))


def resolve_devices(choice: str) -> list[str]:
    """The devices of ``--device`` (cpu, cuda or auto); ValueError for cuda without a GPU."""
    cuda = torch.cuda.is_available()
    if choice == 'cuda':
        if not cuda:
            raise ValueError('--device cuda, but torch.cuda.is_available() is False')
        return ['cuda']
    if choice == 'cpu':
        return ['cpu']
    return ['cpu', 'cuda'] if cuda else ['cpu']


def machine_info() -> dict:
    info = {'date': datetime.datetime.now().astimezone().isoformat(timespec='seconds'),
            'platform': platform.platform(), 'python': platform.python_version(),
            'torch': torch.__version__, 'numpy': np.__version__,
            'logical_cpus': os.cpu_count(), 'torch_threads': torch.get_num_threads(),
            'torch_interop_threads': torch.get_num_interop_threads(),
            'mkldnn': torch.backends.mkldnn.is_available(), 'cuda_available': torch.cuda.is_available(),
            'parallel_info': torch.__config__.parallel_info().strip().splitlines(),
            'environment': {name: os.environ.get(name) for name in _THREADING_VARIABLES}}
    try:
        lscpu = subprocess.run(['lscpu'], capture_output=True, text=True, timeout=10).stdout
        fields = dict(line.split(':', 1) for line in lscpu.splitlines() if ':' in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        info['cpu_model'] = fields.get('Model name')
        if fields.get('Core(s) per socket') and fields.get('Socket(s)'):
            info['physical_cores'] = int(fields['Core(s) per socket']) * int(fields['Socket(s)'])
        info['hypervisor'] = fields.get('Hypervisor vendor')
    except (OSError, subprocess.SubprocessError, ValueError):
        info['cpu_model'] = platform.processor() or None
    if torch.cuda.is_available():
        info['gpu'] = torch.cuda.get_device_name(0)
        info['cuda'] = torch.version.cuda
    for name, module in _OPTIONAL_LIBRARIES:
        try:
            info[name] = __import__(module).__version__
        except Exception:  # noqa: BLE001 - optional
            info[name] = None
    return info


class CpuMonitor:
    """Load average and the CPU share taken by *other* processes while a block runs (Linux)."""

    def __init__(self):
        self.start_wall = time.monotonic()
        self.start_busy = self._busy_seconds()
        self.start_own = self._own_seconds()
        self.start_load = self._load()

    @staticmethod
    def _load():
        try:
            return [round(x, 2) for x in os.getloadavg()]
        except OSError:
            return None

    @staticmethod
    def _busy_seconds():
        try:
            with open('/proc/stat') as stat:
                fields = [int(x) for x in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf('SC_CLK_TCK')  # user … steal, no guest

    @staticmethod
    def _own_seconds():
        times = os.times()  # this process and its waited-for children (the threading section's)
        return times.user + times.system + times.children_user + times.children_system

    def report(self) -> dict:
        wall = time.monotonic() - self.start_wall
        out = {'wall_s': round(wall, 2), 'loadavg_1_5_15_before': self.start_load,
               'loadavg_1_5_15_after': self._load()}
        busy = self._busy_seconds()
        if busy is not None and self.start_busy is not None and wall >= 1.0:
            others = (busy - self.start_busy) - (self._own_seconds() - self.start_own)
            out['other_processes_cpu_share'] = round(max(0.0, others) / (wall * (os.cpu_count() or 1)), 3)
        return out


def load_line(load: dict) -> str:
    """A :meth:`CpuMonitor.report` in words, for the report."""
    text = (f"load average (1/5/15 min) {load.get('loadavg_1_5_15_before')} before, "
            f"{load.get('loadavg_1_5_15_after')} after; {load['wall_s']:.0f} s wall")
    if 'other_processes_cpu_share' in load:
        text += (f"; other processes used {100 * load['other_processes_cpu_share']:.0f} % of the machine's "
                 'CPU time meanwhile')
    return text

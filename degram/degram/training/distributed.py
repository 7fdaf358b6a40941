# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Data-parallel training under ``torchrun`` (DistributedDataParallel).

``degram train`` runs unchanged as ``torchrun --nproc_per_node N -m degram train …``: torchrun
sets RANK / WORLD_SIZE / LOCAL_RANK, every rank draws the same epoch plan (same seed) and takes
its share of the batches, rank 0 validates, logs and writes the run folder, and the decisions
that depend on validation (scheduler, early stopping) are broadcast from rank 0.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    def share(self, batches: list) -> list:
        """This rank's batches of an epoch plan; every rank gets the same number (DDP needs equal steps)."""
        if not self.distributed:
            return batches
        usable = len(batches) // self.size * self.size
        return batches[self.rank:usable:self.size]

    def broadcast(self, value):
        """``value`` of rank 0 on every rank."""
        if not self.distributed:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()


def init_world(device_name: str | None) -> World:
    """Join the process group that torchrun describes (none: a single process)."""
    size = int(os.environ.get('WORLD_SIZE', '1'))
    if size <= 1:
        return World()
    world = World(int(os.environ['RANK']), size, int(os.environ.get('LOCAL_RANK', '0')))
    if not dist.is_initialized():
        cuda = torch.cuda.is_available() and str(device_name or 'auto') != 'cpu'
        if cuda:
            torch.cuda.set_device(world.local_rank)
        dist.init_process_group('nccl' if cuda else 'gloo')
    return world


def close_world(world: World) -> None:
    if world.distributed and dist.is_initialized():
        dist.destroy_process_group()

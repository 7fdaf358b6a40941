# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Process lifetime of the executables (``degram_node``, ``wav_publisher``): start, spin, and a
clean exit on SIGINT/SIGTERM.

A Ctrl-C in the terminal of ``ros2 launch`` reaches a node twice (the terminal signals the
process group, launch forwards SIGINT once more).  rclpy's own handler shuts the context down at
the first signal (so in-flight publishes fail) and Python raises KeyboardInterrupt at the second,
in the middle of the teardown.  Here rclpy is initialised without signal handlers and
:class:`SignalGuard` takes over: the first signal during start-up (imports, model loading) raises
:class:`Interrupted` once; once the node runs, a signal only asks the spin loop to stop; repeats
are ignored.  The teardown then stops the node's threads before the context goes away.
Works with Humble's rclpy (``SignalHandlerOptions`` and ``ExternalShutdownException`` exist there).
"""
from __future__ import annotations

import signal
import threading
import time

import rclpy
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor, SingleThreadedExecutor
from rclpy.signals import SignalHandlerOptions

SPIN_PERIOD_S = 0.1    # how often the spin loop looks at the stop request


class Interrupted(BaseException):
    """The first SIGINT/SIGTERM during start-up (not an Exception: no handler swallows it)."""


class SignalGuard:
    def __init__(self):
        self.requested = threading.Event()
        self._starting = True

    def install(self) -> 'SignalGuard':
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._handle)
        return self

    def started(self) -> None:
        """From now on a signal only requests the stop."""
        self._starting = False

    def _handle(self, signum, frame) -> None:
        first = not self.requested.is_set()
        self.requested.set()
        if first and self._starting:
            raise Interrupted()


def run(name: str, create, errors: tuple, args=None, work=None, linger: float = 0.5) -> int:
    """Initialise rclpy, ``create()`` the node, spin it until a signal (or until ``work(node)``,
    run on a thread, has returned and ``linger`` seconds more have passed), tear down; → the exit
    code: 1 with one fatal line when ``create`` raises one of ``errors``, else 0."""
    guard = SignalGuard().install()
    parts: dict = {}
    code = 0
    try:
        try:
            rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
            parts['node'] = create()
            guard.started()
            _spin(parts, guard, work, linger)
        except errors as exc:
            rclpy.logging.get_logger(name).fatal(str(exc))
            code = 1
        finally:
            guard.started()
            _teardown(parts, name)
    except Interrupted:   # the first signal came during start-up
        guard.started()
        _teardown(parts, name)
    # Python restores the default SIGINT action when the interpreter finalises (torch and DDS take
    # a moment there): a repeated Ctrl-C would then kill the process with -2; an ignored one stays
    # ignored.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code


def _spin(parts: dict, guard: SignalGuard, work, linger: float) -> None:
    node = parts['node']
    # one thread (rclpy's multi-threaded executor costs much more per callback, which counts with
    # many audio streams) unless the node asks for more: degram_node's stream enrolment is a
    # service of its own callback group that waits while the audio callbacks go on
    threads = int(getattr(node, 'executor_threads', 1))
    executor = parts['executor'] = SingleThreadedExecutor() if threads == 1 else MultiThreadedExecutor(threads)
    executor.add_node(node)
    thread = None
    if work is not None:
        thread = parts['thread'] = threading.Thread(target=work, args=(node,), daemon=True)
        thread.start()
    done_at = None
    while not guard.requested.is_set() and rclpy.ok():
        try:
            executor.spin_once(timeout_sec=SPIN_PERIOD_S)
        except ExternalShutdownException:
            break
        except Exception as exc:   # a callback's exception (the executor re-raises it): log, keep serving
            rclpy.logging.get_logger('degram').error(f'callback failed: {type(exc).__name__}: {exc}')
        if thread is not None and not thread.is_alive():
            done_at = done_at or time.monotonic()
            if time.monotonic() - done_at >= linger:
                break


def _teardown(parts: dict, name: str) -> None:
    """Idempotent: stop the node's own threads, destroy it, then shut the context down."""
    node, thread, executor = parts.pop('node', None), parts.pop('thread', None), parts.pop(
        'executor', None)
    try:
        if node is not None and hasattr(node, 'stop'):
            node.stop()
        if thread is not None:
            thread.join(5.0)
        if executor is not None:
            executor.remove_node(node)
        if node is not None:
            node.destroy_node()
        if executor is not None:
            executor.shutdown(timeout_sec=1.0)
    except Exception as exc:  # never a traceback on the way out
        rclpy.logging.get_logger(name).warning(f'shutdown: {type(exc).__name__}: {exc}')
    rclpy.try_shutdown()

# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What a robot's room, microphone, capture chain and codec do to a sound: seeded, cheap on CPU.

Two uses of the same transforms:

- :class:`ChannelAugment` draws them at random for training (``data.channel`` of a training
  config: the probability of each transform);
- :func:`channel_condition` builds one fixed condition for evaluation (``degram eval --channel``):

  | spec               | what                                                                  |
  |--------------------|-----------------------------------------------------------------------|
  | ``lowpass:7000``   | a brick-wall low-pass at 7 kHz (> 100 dB down above it), as a wideband  |
  |                    | codec or a steep resampler leaves it                                  |
  | ``band:300-3400``  | the telephone band: 48 dB/octave high-pass at 300 Hz, brick wall at 3.4 kHz |
  | ``room:0.5``       | a 6 x 5 x 3 m room with RT60 0.5 s, the source 2 m from the microphone   |
  | ``eq``             | a random microphone response: seven bands within ±6 dB (seeded per clip) |
  | ``resample:8000``  | down to 8 kHz and back (``resample:RATE:METHOD``, methods below)       |
  | ``noise:DIR@SNR``  | real noise recordings (a folder, file or glob; relative paths may be    |
  |                    | under the data root) mixed at SNR dB                                  |

The filters come from ``audiomentations`` and the rooms from ``pyroomacoustics`` (image
method). Both draw their parameters from Python's and NumPy's global generators, so every call
runs inside :func:`_seeded`, which seeds them from the caller's generator and restores them.
"""
from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import soxr

from .augment import NoiseBank
from .files import DatasetError, find_data_root

LOWPASS_HZ = (3400.0, 8000.0)      # where real capture chains and codecs cut the top off
HIGHPASS_HZ = (50.0, 300.0)        # small microphones and DC blockers cut the bottom
EQ_DB = 6.0                        # a microphone's response: within ±6 dB per band
RT60_S = (0.2, 0.8)                # living rooms and offices
RESAMPLE_RATES = (8000, 11025, 12000, 14000, 22050, 44100, 48000)
RESAMPLERS = ('soxr_hq', 'soxr_lq', 'poly', 'linear')
TRANSFORMS = ('room', 'eq', 'highpass', 'lowpass', 'resample')   # the order a sound meets them
Transform = Callable[[np.ndarray, np.random.Generator], np.ndarray]


@contextlib.contextmanager
def _seeded(rng: np.random.Generator) -> Iterator[None]:
    """Seed ``random`` and ``np.random`` from ``rng`` for a library call, then restore them."""
    py_state, np_state = random.getstate(), np.random.get_state()
    seed = int(rng.integers(2 ** 31))
    random.seed(seed)
    np.random.seed(seed)
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


def _butterworth(kind: str, low_hz: float, high_hz: float, rolloff_db: tuple[int, int] = (48, 48)):
    """An audiomentations Butterworth filter whose cut-off is drawn from [low_hz, high_hz]."""
    from audiomentations import HighPassFilter, LowPassFilter
    cls = LowPassFilter if kind == 'lowpass' else HighPassFilter
    return cls(min_cutoff_freq=low_hz, max_cutoff_freq=high_hz, min_rolloff=rolloff_db[0],
               max_rolloff=rolloff_db[1], zero_phase=False, p=1.0)


def brick_wall_lowpass(wave: np.ndarray, sample_rate: int, cutoff_hz: float) -> np.ndarray:
    """Nothing above ``cutoff_hz``: a round trip through soxr at twice the cut-off, whose
    anti-alias filter is what a steep resampler or a codec's band limit does."""
    return resample_round_trip(wave, sample_rate, int(round(2 * cutoff_hz)), 'soxr_hq')


def _apply(transform, wave: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    with _seeded(rng):
        return np.asarray(transform(samples=wave, sample_rate=sample_rate), dtype=np.float32)


def resample_round_trip(wave: np.ndarray, sample_rate: int, rate: int, method: str = 'soxr_hq') -> np.ndarray:
    """``wave`` taken to ``rate`` and back with one of :data:`RESAMPLERS`: each leaves its own
    transition band (and ``linear`` its aliases) near the lower Nyquist frequency."""
    if method not in RESAMPLERS:
        raise ValueError(f'unknown resampler {method!r}; choose from {RESAMPLERS}')
    if method.startswith('soxr'):
        quality = 'HQ' if method == 'soxr_hq' else 'QQ'
        there = soxr.resample(wave, sample_rate, rate, quality=quality)
        back = soxr.resample(there, rate, sample_rate, quality=quality)
    elif method == 'poly':
        import scipy.signal
        g = math.gcd(int(rate), int(sample_rate))
        there = scipy.signal.resample_poly(wave, rate // g, sample_rate // g)
        back = scipy.signal.resample_poly(there, sample_rate // g, rate // g)
    else:
        n_there = max(2, round(len(wave) * rate / sample_rate))
        grid = np.arange(len(wave), dtype=np.float64)
        there = np.interp(np.linspace(0, len(wave) - 1, n_there), grid, wave)
        back = np.interp(grid, np.linspace(0, len(wave) - 1, n_there), there)
    out = np.zeros_like(wave)
    n = min(len(out), len(back))
    out[:n] = back[:n]
    return out.astype(np.float32, copy=False)


def room_impulse_response(rt60: float, rng: np.random.Generator, sample_rate: int = 16000,
                          dims: tuple[float, float, float] | None = None,
                          distance: float | None = None) -> np.ndarray:
    """A shoebox room's impulse response (image method), normalised to a unit direct path.

    Room size (3-8 x 3-6 x 2.5-3.5 m), positions and distance (0.5-3 m) are drawn from ``rng``
    unless given."""
    import pyroomacoustics as pra
    if dims is None:
        dims = (rng.uniform(3, 8), rng.uniform(3, 6), rng.uniform(2.5, 3.5))
    room_dims = np.asarray(dims, dtype=float)
    mic = np.array([rng.uniform(0.5, d - 0.5) for d in room_dims])
    for _ in range(100):   # a source at the wanted distance, inside the room
        d = rng.uniform(0.5, 3.0) if distance is None else float(distance)
        direction = rng.normal(size=3)
        direction[2] *= 0.2
        source = mic + d * direction / np.linalg.norm(direction)
        if np.all(source > 0.3) and np.all(source < room_dims - 0.3):
            break
    else:
        raise ValueError(f'no source position {distance} m from the microphone fits a room of {dims} m')
    absorption, max_order = pra.inverse_sabine(float(rt60), room_dims)
    room = pra.ShoeBox(room_dims, fs=sample_rate, materials=pra.Material(absorption), max_order=max_order)
    room.add_source(source)
    room.add_microphone(mic)
    room.compute_rir()
    rir = np.asarray(room.rir[0][0], dtype=np.float64)
    return (rir / np.max(np.abs(rir))).astype(np.float32)


def reverberate(wave: np.ndarray, rir: np.ndarray) -> np.ndarray:
    """``wave`` heard through ``rir``, aligned on the direct path and at the same RMS level."""
    import scipy.signal
    onset = int(np.argmax(np.abs(rir)))
    wet = scipy.signal.fftconvolve(wave, rir[onset:])[:len(wave)]
    dry_rms, wet_rms = float(np.sqrt(np.mean(wave ** 2))), float(np.sqrt(np.mean(wet ** 2)))
    if wet_rms > 0:
        wet = wet * (dry_rms / wet_rms)
    return wet.astype(np.float32, copy=False)


class RoomBank:
    """``size`` room impulse responses with RT60 from ``rt60`` (seconds), made once (about 0.3 s
    each on one core) and drawn at random."""

    def __init__(self, size: int = 32, rt60: tuple[float, float] = RT60_S, sample_rate: int = 16000,
                 seed: int = 0):
        rng = np.random.default_rng([seed, 60])
        self.responses = [room_impulse_response(rng.uniform(*rt60), rng, sample_rate) for _ in range(size)]

    def __call__(self, wave: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return reverberate(wave, self.responses[int(rng.integers(len(self.responses)))])


@dataclass
class ChannelAugment:
    """Random room, microphone EQ, high-pass, low-pass and resampler, each with its probability
    (``data.channel`` of a training config, e.g. ``{room: 0.3, eq: 0.5, lowpass: 0.5}``).

    Waveform (L,) → (L,), float32, same level."""

    probabilities: dict[str, float]
    sample_rate: int = 16000
    seed: int = 0

    def __post_init__(self):
        from audiomentations import SevenBandParametricEQ
        unknown = set(self.probabilities) - set(TRANSFORMS)
        if unknown:
            raise ValueError(f'unknown channel transform(s) {sorted(unknown)}; choose from {TRANSFORMS}')
        for name, p in self.probabilities.items():
            if not 0.0 <= float(p) <= 1.0:
                raise ValueError(f'channel.{name}: a probability in [0, 1], got {p}')
        self._transforms: dict[str, Transform] = {}
        if self.probabilities.get('room'):
            self._transforms['room'] = RoomBank(sample_rate=self.sample_rate, seed=self.seed)
        filters = {'eq': SevenBandParametricEQ(-EQ_DB, EQ_DB, p=1.0),
                   'highpass': _butterworth('highpass', *HIGHPASS_HZ, rolloff_db=(12, 24))}
        for name, transform in filters.items():
            self._transforms[name] = (lambda w, r, t=transform: _apply(t, w, self.sample_rate, r))
        gentle = _butterworth('lowpass', *LOWPASS_HZ, rolloff_db=(12, 48))
        self._transforms['lowpass'] = lambda w, r: (   # half gentle microphones, half brick walls
            _apply(gentle, w, self.sample_rate, r) if r.random() < 0.5
            else brick_wall_lowpass(w, self.sample_rate, r.uniform(*LOWPASS_HZ)))
        self._transforms['resample'] = lambda w, r: resample_round_trip(
            w, self.sample_rate, int(r.choice(RESAMPLE_RATES)), str(r.choice(RESAMPLERS)))

    def __call__(self, wave: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        for name in TRANSFORMS:
            if rng.random() < float(self.probabilities.get(name, 0.0)):
                wave = self._transforms[name](wave, rng)
        return wave


def channel_condition(spec: str, sample_rate: int = 16000, data_root=None) -> Transform:
    """One evaluation condition (see the module's table): ``wave, rng → wave``."""
    kind, _, arg = spec.partition(':')
    try:
        if kind == 'lowpass':
            cutoff = float(arg)
            return lambda w, r: brick_wall_lowpass(w, sample_rate, cutoff)
        if kind == 'band':
            low, high = (float(x) for x in arg.split('-'))
            hp = _butterworth('highpass', low, low)
            return lambda w, r: brick_wall_lowpass(_apply(hp, w, sample_rate, r), sample_rate, high)
        if kind == 'room':
            rir = room_impulse_response(float(arg or 0.5), np.random.default_rng(0), sample_rate,
                                        dims=(6.0, 5.0, 3.0), distance=2.0)
            return lambda w, r: reverberate(w, rir)
        if kind == 'eq' and not arg:
            from audiomentations import SevenBandParametricEQ
            eq = SevenBandParametricEQ(-EQ_DB, EQ_DB, p=1.0)
            return lambda w, r: _apply(eq, w, sample_rate, r)
        if kind == 'resample':
            rate, _, method = arg.partition(':')
            rate, method = int(rate), method or 'soxr_hq'
            if method not in RESAMPLERS:
                raise ValueError(f'unknown resampler {method!r}; choose from {RESAMPLERS}')
            return lambda w, r: resample_round_trip(w, sample_rate, rate, method)
        if kind == 'noise':
            source, _, snr = arg.rpartition('@')
            bank = NoiseBank(source, sample_rate, root=find_data_root(data_root))
            return lambda w, r: bank.mix(w, float(snr), r)
    except (ValueError, DatasetError) as exc:
        raise ValueError(f'channel condition {spec!r}: {exc}') from None
    raise ValueError(f'unknown channel condition {spec!r}; use lowpass:HZ, band:LOW-HIGH, room:RT60, eq, '
                     f'resample:RATE[:METHOD] or noise:SOURCE@SNR')

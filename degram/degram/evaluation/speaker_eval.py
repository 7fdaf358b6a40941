# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Speaker evaluation of a model on real recordings (:func:`evaluate_speakers`, behind
``degram eval --speakers``) and the calibration of its threshold and score scale
(:func:`calibrate_speakers`, behind ``degram calibrate --speakers``); the protocol is
:mod:`degram.evaluation.speakers`.

An utterance goes the library's enrolment path: its speech (silero-vad; the whole utterance when
no speech is found, counted as ``no_speech``) in 2 s windows every 1 s
(:func:`degram.speaker.enrollment.cut_windows`), one embedding per window; its embedding is the
normalised mean of those, and a speaker's enrolled embedding is what a
:class:`~degram.speaker.SpeakerDatabase` stores for the windows of the first ``enrol`` utterances.
With ``channel`` (conditions such as ``band:300-3400``, :func:`degram.evaluation.channel_waves`)
and/or ``noise`` (real noise at ``snr`` dB, :func:`degram.evaluation.noisy_waves`), every test
utterance goes through them and is identified against the clean enrolment: people enrolled once,
heard later through the robot's microphone.
Non-speech recordings are cut into the node's windows and go through
:class:`~degram.speaker.windows.SpeakerWindowAnalyzer` (voice gate, embedding, identification
against every speaker enrolled): the share of windows that pass the gate, and of those named.

``cache`` (a folder) keeps the VAD's frame probabilities (by audio content) and the window
embeddings (by model weights and window content) in .npz files, so that later runs recompute
nothing they have seen (another subset, a calibrated copy of the same weights); without it they
are kept for the run only.
"""
from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np

from .. import data as D
from ..atomic import atomic_path
from ..audio import load_audio
from ..events.pipeline import windows_of
from ..inference.metadata import ModelMetadata
from ..progress import Progress
from ..speaker import AdaptiveSNorm, SpeakerDatabase, VoiceActivityDetector, model_fingerprint, speaker_scoring
from ..speaker.enrollment import cut_windows, mean_embedding, speech_audio
from ..speaker.windows import SpeakerWindowAnalyzer
from ..streaming import Window
from .evaluate import channel_waves, noisy_waves
from .speakers import choose_threshold, enrolment_mask, open_set_protocol, platt_scale, rotation_scores, verification

__all__ = ['SPEECH_LIKE', 'calibrate_speakers', 'cohort_embeddings', 'default_non_speech', 'evaluate_speakers',
           'silence']

WINDOW, HOP = 2.0, 1.0               # utterance embedding windows (those of `degram enroll`)
MIN_SPEECH_RATIO = 0.3               # the voice gate when the model's metadata names none
#: ESC-50 classes of human vocal sounds, left out of the non-speech recordings
SPEECH_LIKE = ('crying_baby', 'laughing', 'coughing', 'sneezing', 'breathing', 'snoring')
SILENCE_SECONDS = 30.0


def _digest(array: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(array, dtype=np.float32).tobytes()).hexdigest()


class _Cache:
    """Named tables (key → array), kept in ``folder/<name>.npz`` when a folder is given."""

    def __init__(self, folder=None):
        self.folder = Path(folder) if folder else None
        self.tables: dict[str, dict] = {}

    def table(self, name: str) -> dict:
        if name not in self.tables:
            path = self.folder / f'{name}.npz' if self.folder else None
            if path is not None and path.is_file():
                with np.load(path) as stored:
                    self.tables[name] = {key: stored[key] for key in stored.files}
            else:
                self.tables[name] = {}
        return self.tables[name]

    def save(self) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables.items():
            with atomic_path(self.folder / f'{name}.npz') as tmp:
                np.savez(tmp, **table)


class _CachingVad(VoiceActivityDetector):
    """silero-vad whose frame probabilities are kept by audio content (speech_only and
    speech_ratio both go through speech_probabilities)."""

    def __init__(self, table: dict):
        super().__init__()
        self._table = table

    def speech_probabilities(self, waveform, sample_rate: int) -> np.ndarray:
        samples = self._mono(waveform, sample_rate)
        key = f'r{int(sample_rate)}_{_digest(samples)}'
        if key not in self._table:
            self._table[key] = super().speech_probabilities(samples, sample_rate)
        return self._table[key]


class _CachingEmbedder:
    """``predictor.embed`` with each window's embedding kept by content (what the speaker code uses
    of a predictor: ``sample_rate`` and ``embed``)."""

    def __init__(self, predictor, table: dict):
        self.predictor, self.sample_rate, self._table = predictor, predictor.sample_rate, table

    def embed(self, waveform, sample_rate: int) -> np.ndarray:
        batch = np.atleast_2d(np.asarray(waveform, dtype=np.float32))
        keys = [f'w{int(sample_rate)}_{_digest(row)}' for row in batch]
        todo = [i for i, key in enumerate(keys) if key not in self._table]
        if todo:
            for i, row in zip(todo, np.atleast_2d(self.predictor.embed(batch[todo], sample_rate))):
                self._table[keys[i]] = row.astype(np.float32)
        out = np.stack([self._table[key] for key in keys])
        return out[0] if np.ndim(waveform) == 1 else out


def weights_digest(predictor) -> str:
    """sha1 of the model's config and weights (a calibrated copy shares its source's); the file's
    fingerprint for a predictor without a torch model."""
    model = getattr(predictor, 'model', None)
    if model is None or not hasattr(model, 'state_dict'):
        return model_fingerprint(predictor)[1]
    digest = hashlib.sha1(json.dumps(model.config.to_dict(), sort_keys=True, default=str).encode())
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().reshape(-1).float().numpy().tobytes())
    return digest.hexdigest()


class _Run:
    """One model's embeddings, caches and enrolled speakers for a speaker set."""

    def __init__(self, predictor, spec: str, data_root=None, enrol: int = 3, cache=None, progress: bool = True,
                 normaliser: AdaptiveSNorm | None = None):
        self.predictor, self.spec, self.progress, self.normaliser = predictor, str(spec), progress, normaliser
        self.cache = _Cache(cache)
        self.vad = _CachingVad(self.cache.table('vad'))
        self.embedder = _CachingEmbedder(predictor, self.cache.table(f'embeddings-{weights_digest(predictor)[:20]}'))
        self.root = D.find_data_root(data_root)
        self.dataset = D.open_dataset(spec, data_root, sample_rate=int(predictor.sample_rate))
        order = sorted(range(len(self.dataset)), key=lambda i: (self.dataset.entries[i].label,
                                                                self.dataset.entries[i].path))
        self.order = np.asarray(order, dtype=np.int64)
        names = sorted({self.dataset.entries[i].label for i in order})
        self.labels = np.array([names.index(self.dataset.entries[i].label) for i in order], dtype=np.int64)
        self.enrolment = enrolment_mask(self.labels, enrol)
        self.enrol = enrol
        self.clean = self.windows([self.dataset.load(int(i)) for i in self.order], 'clean')
        self.database = SpeakerDatabase(Path('unsaved-evaluation.db'), *model_fingerprint(predictor))
        for k, name in enumerate(names):
            rows = np.flatnonzero((self.labels == k) & self.enrolment)
            self.database.enroll(name, np.concatenate([self.clean['windows'][i] for i in rows]))
        self.names, self.enrolled = self.database.matrix()
        assert self.names == names
        self.cache.save()

    def windows(self, waves, condition: str) -> dict:
        """Utterance waveforms → their window embeddings, utterance embeddings and counts."""
        rate = int(self.predictor.sample_rate)
        bar = Progress(len(waves), f'{self.spec} {condition}', self.progress)
        rows, no_speech, seconds = [], 0, 0.0
        for wave in waves:
            speech, _ = speech_audio(self.embedder, wave, rate, self.vad)
            if speech.size == 0:
                no_speech += 1
                speech = np.asarray(wave, dtype=np.float32)
            seconds += speech.size / rate
            rows.append(np.atleast_2d(self.embedder.embed(cut_windows(speech, rate, WINDOW, HOP), rate)))
            bar.update()
        bar.close()
        return {'windows': rows, 'utterances': np.stack([mean_embedding(r) for r in rows]),
                'counts': {'windows': int(sum(len(r) for r in rows)), 'speech_seconds': round(seconds, 2),
                           'no_speech_utterances': no_speech}}

    def scores(self, utterances: np.ndarray) -> np.ndarray:
        """(N, S) identification scores: cosines with the enrolled speakers, or their AS-norm."""
        scores = np.clip(utterances.astype(np.float64) @ self.enrolled.astype(np.float64).T, -1.0, 1.0)
        if self.normaliser is not None:
            scores = self.normaliser.normalise(scores, utterances, self.enrolled)
        return scores

    def verification(self, test_utterances=None) -> dict:
        return verification(self.clean['utterances'], self.labels, test_utterances, self.normaliser)

    def counts(self) -> dict:
        return {'speakers': len(self.names), 'utterances': int(self.labels.size),
                'enrolment_utterances': int(self.enrolment.sum()), 'test_utterances': int((~self.enrolment).sum()),
                'enrol_per_speaker': self.enrol}


def default_non_speech(root) -> dict[str, list]:
    """``{source: [(tag, file or samples)]}``: ESC-50 fold 4 without :data:`SPEECH_LIKE` (tag = the
    class), the speech_commands_noise files (tag = the file) and digital silence."""
    root = Path(root)
    with open(root / 'esc50' / 'meta.csv', newline='') as fh:
        esc = [(row['category'], root / 'esc50' / 'audio' / row['filename']) for row in csv.DictReader(fh)
               if row['fold'] == '4' and row['category'] not in SPEECH_LIKE]
    noise = [(f.stem, f) for f in D.list_audio_files(root / 'speech_commands_noise')]
    return {'esc50_fold4': sorted(esc), 'speech_commands_noise': noise, 'silence': silence()}


def silence() -> list:
    """Digital silence (:data:`SILENCE_SECONDS` at 16 kHz) as a non-speech source."""
    return [('digital_silence', np.zeros(int(SILENCE_SECONDS * 16000), np.float32))]


def non_speech_rates(run: _Run, recordings: dict, threshold: float, scale: float, min_speech_ratio: float,
                     window: float, hop: float) -> dict:
    """Windows of non-speech recordings through the node's speaker step, every speaker enrolled."""
    rate = int(run.predictor.sample_rate)
    analyzer = SpeakerWindowAnalyzer(run.embedder, run.database, threshold, scale, run.vad, min_speech_ratio,
                                     normaliser=run.normaliser)
    result = {'window_length': window, 'hop_length': hop, 'min_speech_ratio': min_speech_ratio, 'sources': {}}
    totals = np.zeros(3, dtype=np.int64)
    for source, items in recordings.items():
        by_tag: dict[str, np.ndarray] = {}
        bar = Progress(len(items), f'non-speech {source}', run.progress)
        for tag, item in items:
            samples = item if isinstance(item, np.ndarray) else load_audio(item, 16000)[0]
            _, cut = windows_of(samples, 16000, rate, window, hop)
            done = analyzer.analyse([Window(w, 0.0, i) for i, w in enumerate(cut)]) if len(cut) else []
            counts = np.array([len(done), sum(r.speech for r in done), sum(bool(r.match and r.match.known)
                                                                             for r in done)], dtype=np.int64)
            by_tag[tag] = by_tag.get(tag, np.zeros(3, np.int64)) + counts
            bar.update()
        bar.close()
        total = sum(by_tag.values(), np.zeros(3, np.int64))
        totals += total
        result['sources'][source] = dict(_gate_rates(total), recordings=len(items),
                                         by_tag={t: [int(x) for x in c] for t, c in sorted(by_tag.items())})
    result.update(_gate_rates(totals))
    return result


def _gate_rates(counts) -> dict:
    windows, passed, known = (int(x) for x in counts)
    return {'windows': windows, 'passed_gate': passed, 'known': known,
            'gate_rate': passed / windows if windows else None, 'known_rate': known / windows if windows else None}


def evaluate_speakers(predictor, spec: str, *, data_root=None, enrol: int = 3, threshold: float | None = None,
                      noise=None, snr: float = 10.0, seed: int = 0, non_speech='default', window=None, hop=None,
                      min_speech_ratio=None, cache=None, progress: bool = True, channel=()) -> dict:
    """The speaker evaluation of ``predictor`` on the speakers of ``spec`` (see the module
    docstring); ``non_speech``: ``'default'`` (:func:`default_non_speech`), None, or
    ``{source: [(tag, file or 16 kHz samples)]}``. A JSON-ready dict."""
    given = threshold
    threshold, scale, normaliser = speaker_scoring(predictor, given)
    meta = ModelMetadata.of(predictor)
    window, _ = meta.window_and_hop(window, default_window=WINDOW)
    hop = float(hop or window / 2)
    model_ratio = MIN_SPEECH_RATIO if meta.min_speech_ratio is None else meta.min_speech_ratio
    ratio = float(model_ratio if min_speech_ratio is None else min_speech_ratio)
    run = _Run(predictor, spec, data_root, enrol, cache, progress, normaliser)
    result = {'model': str(getattr(predictor, 'path', '')), 'name': predictor.name, 'speakers': str(spec),
              'threshold': threshold, 'threshold_source': 'model' if given is None else 'given',
              'scores': 'cosine' if normaliser is None else f'as-norm (cohort {len(normaliser.cohort)}, '
                                                            f'top {normaliser.top_k})',
              'scale': scale, 'embedding_window': WINDOW, 'embedding_hop': HOP, 'noise': None,
              'channel': list(channel), 'counts': dict(run.counts(), **run.clean['counts'])}
    test = run.clean
    if noise is not None or channel:
        waves = [run.dataset.load(int(i)) for i in run.order]
        if channel:
            waves = channel_waves(waves, channel, run.dataset.sample_rate, seed, run.root)
        if noise is not None:
            bank = noise if isinstance(noise, D.NoiseBank) else D.NoiseBank(noise, run.dataset.sample_rate,
                                                                              root=run.root)
            waves = noisy_waves(waves, bank, float(snr), seed)
            sources = bank.files if isinstance(noise, D.NoiseBank) else \
                [noise] if isinstance(noise, (str, Path)) else noise
            result['noise'] = {'sources': [str(s) for s in sources], 'files': len(bank), 'snr_db': float(snr),
                               'seed': int(seed), 'enrolment': 'clean'}
        test = run.windows(waves, ' + '.join([*channel, *([f'{snr:g} dB'] if noise is not None else [])]))
        result['test_counts'] = test['counts']
        result['verification'] = run.verification(test['utterances'])
    else:
        result['verification'] = run.verification()
    result['identification'] = open_set_protocol(run.scores(test['utterances']), run.labels, run.enrolment,
                                                 threshold)
    if non_speech == 'default':
        non_speech = default_non_speech(run.root) if run.root is not None else None
    if non_speech:
        result['non_speech'] = non_speech_rates(run, non_speech, threshold, scale, ratio, window, hop)
    run.cache.save()
    return result


def cohort_embeddings(predictor, spec: str = 'voices', *, group: str = 'train', per_speaker: int = 4,
                      data_root=None, cache=None, progress: bool = True) -> tuple[np.ndarray, list[str]]:
    """The AS-norm cohort: one embedding per speaker of ``spec`` (its ``group`` utterances; by
    default the training speakers of the ``voices`` corpus), the normalised mean of the speech
    windows of its first ``per_speaker`` utterances (sorted by path), as enrolment makes them.
    Returns ((S, D) float32 unit rows, the S speaker labels)."""
    if per_speaker < 1:
        raise ValueError(f'per_speaker must be at least 1, got {per_speaker}')
    store = _Cache(cache)
    vad = _CachingVad(store.table('vad'))
    embedder = _CachingEmbedder(predictor, store.table(f'embeddings-{weights_digest(predictor)[:20]}'))
    rate = int(predictor.sample_rate)
    dataset = D.open_dataset(spec, data_root, sample_rate=rate)
    chosen: dict[str, list[int]] = {}
    for i in sorted(range(len(dataset)), key=lambda i: dataset.entries[i].path):
        entry = dataset.entries[i]
        if entry.group == group and len(chosen.setdefault(entry.label, [])) < per_speaker:
            chosen[entry.label].append(i)
    if len(chosen) < 2:
        raise ValueError(f'{spec}: {len(chosen)} speaker(s) in group {group!r}; a cohort needs at least 2')
    bar = Progress(len(chosen), f'cohort {spec}', progress)
    labels, rows = sorted(chosen), []
    for label in labels:
        windows = []
        for i in chosen[label]:
            speech, _ = speech_audio(embedder, dataset.load(i), rate, vad)
            speech = speech if speech.size else np.asarray(dataset.load(i), dtype=np.float32)
            windows.append(np.atleast_2d(embedder.embed(cut_windows(speech, rate, WINDOW, HOP), rate)))
        rows.append(mean_embedding(np.concatenate(windows)))
        bar.update()
    bar.close()
    store.save()
    return np.stack(rows).astype(np.float32), labels


def calibrate_speakers(predictor, spec: str, *, data_root=None, enrol: int = 3, max_far: float = 0.02,
                       cache=None, progress: bool = True, cohort=None) -> dict:
    """The threshold (:func:`~degram.evaluation.speakers.choose_threshold` on the rotations'
    strangers) and score scale (:func:`~degram.evaluation.speakers.platt_scale` on the
    identification scores of the test utterances, all speakers enrolled) on the speakers of
    ``spec``, with what they give there. With ``cohort`` ((N, D) embeddings, :func:`cohort_embeddings`)
    both are calibrated on AS-norm scores against it."""
    normaliser = None if cohort is None else AdaptiveSNorm(cohort)
    run = _Run(predictor, spec, data_root, enrol, cache, progress, normaliser)
    scores = run.scores(run.clean['utterances'])
    strangers, _, _ = rotation_scores(scores, run.labels, run.enrolment)
    threshold = choose_threshold(strangers, max_far, ceiling=1.0 if normaliser is None else None)
    rows = np.flatnonzero(~run.enrolment)
    own = np.zeros(scores.shape, dtype=bool)
    own[np.arange(len(run.labels)), run.labels] = True
    target, nontarget = scores[rows][own[rows]], scores[rows][~own[rows]]
    scale = platt_scale(target, nontarget)
    protocol = open_set_protocol(scores, run.labels, run.enrolment, threshold)
    return {'threshold': threshold, 'scale': scale, 'max_far': max_far, 'speakers': str(spec),
            'scores': 'cosine' if normaliser is None else 'as-norm',
            'counts': dict(run.counts(), **run.clean['counts'], stranger_trials=int(strangers.size),
                           target_scores=int(target.size), nontarget_scores=int(nontarget.size),
                           cohort=0 if cohort is None else int(len(cohort))),
            'far': protocol['rotations']['far'], 'named': protocol['rotations']['named'],
            'all_enrolled_named': protocol['all_enrolled']['named'],
            'verification': run.verification()}
